"""Mode B: a desk's incremental sync counts in the platform's time, also through the hub's
proxy. DCM's clock is set an hour behind (a relay in front of the real sandbox rewrites its
``Date``); the desk's customers page must carry DCM's clock, not the hub's."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fe_helpers import start_fe_hub
from hub_proc import PASSWORD, HubProc, add_employee, branches
from starlette.requests import Request
from starlette.responses import Response

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PlatformClient
from teller_app.platform.auth import HubLogin
from teller_app.platform.hub_client import HubClient

SKEW = timedelta(hours=1)


class SkewedClockRelay:
    """Real HTTP in front of the sandbox whose ``Date`` runs ``SKEW`` behind."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", interface="asgi3",
                                date_header=False)  # the relay's Date is the skewed one
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    async def app(self, scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        assert scope["type"] == "http"
        request = Request(scope, receive)  # type: ignore[arg-type]
        async with httpx.AsyncClient() as http:
            up = await http.request(
                request.method, self.upstream + request.url.path,
                params=list(request.query_params.multi_items()),
                headers=[(k, v) for k, v in request.headers.items() if k != "host"],
                content=await request.body())
        late = email.utils.format_datetime(datetime.now(UTC) - SKEW, usegmt=True)
        headers = {k: v for k, v in up.headers.items()
                   if k not in ("date", "content-length", "content-encoding",
                                "transfer-encoding", "connection")}
        headers["date"] = late
        await Response(up.content, up.status_code, headers)(scope, receive, send)  # type: ignore[arg-type]

    def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


@pytest.fixture(scope="module")
def skewed_hub(sandbox: SandboxProcess,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    relay = SkewedClockRelay(sandbox.base_url)
    url = relay.start()
    hub = start_fe_hub(tmp_path_factory.mktemp("clock-hub"), sandbox, None,
                       TELLER_HUB_DCM_URL=url, TELLER_HUB_WATCH="0")
    try:
        yield hub
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
        relay.stop()


def test_a_customers_page_through_the_proxy_carries_dcms_clock(
        skewed_hub: HubProc, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    with skewed_hub.client() as http:
        teller = add_employee(http, skewed_hub, roles=["Teller"], branch_guid=b0)

    async def run() -> datetime | None:
        hub = HubClient(skewed_hub.base_url)
        try:
            async with PlatformClient(hub.base_url + "/dcm", sandbox.counterparty_guid,
                                      auth=HubLogin(hub, teller, PASSWORD)) as client:
                page = await client.list_customers(branch_guids=[b0], limit=5)
                return page.server_time
        finally:
            await hub.aclose()

    server_time = asyncio.run(run())
    assert server_time is not None
    behind = datetime.now(UTC) - server_time
    assert SKEW - timedelta(minutes=5) < behind < SKEW + timedelta(minutes=5), behind
