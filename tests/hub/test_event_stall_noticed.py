"""A stalled event stream (a laptop's sleep, a proxy that holds bytes and keeps the socket) is
noticed within two of the hub's pings and a margin, not a minute later: the feed reports
not-live, so the inbox stops saying "Live". A real TCP proxy between the desk's feed and a
real hub stops forwarding; the hub's database plays no part (SQLite only)."""

from __future__ import annotations

import asyncio
import time

import pytest
from fe_helpers import _client, new_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches
from keyring.backends import fail

from teller_app.core.approvals_away import KeyringMarks
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.platform.hub_client import STREAM_READ_TIMEOUT_S, HubClient
from teller_app.secrets import SecretStore
from tests.loopback_proxy import Flow, LoopbackProxy

NOTICED_WITHIN_S = 40.0


@pytest.fixture(scope="module")
def hub_db() -> str | None:
    return None  # SQLite: a client-side timeout


class StallingProxy(LoopbackProxy):
    """127.0.0.1:``port`` → ``upstream``; ``stall()`` keeps every socket open and passes no
    byte in either direction from then on."""

    def __init__(self, upstream: int) -> None:
        super().__init__(upstream, name="stalling-proxy")
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.start()

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        await self._flowing.wait()  # stalled: held, the socket kept open
        await super().forward(data, dst, flow)

    def stall(self) -> None:
        self.call_in_loop(self._flowing.clear)


@pytest.mark.slow
def test_a_stalled_stream_is_noticed_within_two_pings(hub: HubProc,
                                                      sandbox: SandboxProcess) -> None:
    assert STREAM_READ_TIMEOUT_S < NOTICED_WITHIN_S
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
    proxy = StallingProxy(int(hub.base_url.rsplit(":", 1)[1]))
    try:
        took = asyncio.run(_stall_noticed_after(hub, f"http://127.0.0.1:{proxy.port}", teller,
                                                sandbox, proxy, new_customer(sandbox, b0)))
    finally:
        proxy.close()
    assert took <= NOTICED_WITHIN_S


async def _stall_noticed_after(direct: HubProc, url: str, teller: str,
                               sandbox: SandboxProcess, proxy: StallingProxy,
                               customer: str) -> float:
    dcm = _client(sandbox)
    gone, heard = asyncio.Event(), asyncio.Event()

    def on_state(connected: bool) -> None:
        if not connected:
            gone.set()

    async with HubClient(url) as hub, HubClient(direct.base_url) as beside:
        await hub.open_password_session(teller, PASSWORD)
        await beside.open_password_session(teller, PASSWORD)
        marks = KeyringMarks(SecretStore("stall-test", backend=fail.Keyring()))
        feed = EventFeed(HubLink(hub, dcm), marks=marks)
        task = asyncio.create_task(feed.run(lambda _event: heard.set(), on_state))
        try:
            # the feed is streaming (its start-up calls done) once it hears a filing made
            # beside the proxy
            await beside.file_request("customer_update", customer, {"kyc_level": 1}, "stall")
            await asyncio.wait_for(heard.wait(), 20)
            assert feed.connected
            proxy.stall()
            stalled = time.monotonic()
            # without a read timeout tied to the hub's ping this waits 60 s
            await asyncio.wait_for(gone.wait(), NOTICED_WITHIN_S + 5)
            took = time.monotonic() - stalled
            assert not feed.connected
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    await dcm.aclose()
    return took
