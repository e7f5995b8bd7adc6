"""The hub and the sandbox on a branch's slow backup link: big answers go gzipped when the
client accepts it (the /dcm relay too, decoded to the same JSON), the SSE stream never is, and
an idle connection is kept longer than the desk keeps it (uvicorn's default is 5 s)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hub_stack_helpers import hub_employee

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.platform.hub_client import HubClient
from tests.link_shaper import LinkShaper, idle_for
from tests.onboarded_stack import onboarded_stack

pytestmark = pytest.mark.slow
ROWS = 1000
ON_THE_WIRE_MAX = 100 * 1024  # a 1 000-row page is ~600 KB plain, ~70 KB gzipped


@pytest.fixture(scope="module")
def big_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("link-hub"),
                         sandbox_args=("--customers", str(ROWS))) as stack:
        yield stack


@pytest.fixture(scope="module")
def admin_token(big_stack: EmbeddedStack) -> str:
    """A head-office administrator's hub session (Mode B: reads every branch through /dcm)."""
    assert big_stack.hub is not None
    email = f"admin.{uuid.uuid4().hex[:8]}@hub.bank"
    password = hub_employee(big_stack.hub, big_stack.sandbox, email, ["Administrator"], None)
    resp = httpx.post(big_stack.hub.base_url + "/api/v1/sessions", timeout=10,
                      json={"mode": "password", "email": email, "password": password})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["token"])


def _sandbox_token(stack: EmbeddedStack) -> str:
    sb = stack.sandbox
    emp = sb.employee("Administrator", None)
    with httpx.Client(base_url=sb.base_url, timeout=20) as http:
        flow = http.get("/kratos/self-service/login/api").json()
        csrf = next((n["attributes"].get("value") for n in flow["ui"]["nodes"]
                     if n["attributes"].get("name") == "csrf_token"), "")
        login = http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                          data={"identifier": emp["email"], "method": "password",
                                "password": emp["password"], "csrf_token": csrf})
    return str(login.json()["session_token"])


def _both_ways(url: str, headers: dict[str, str]) -> tuple[httpx.Response, httpx.Response]:
    """The same page asked for gzipped and plain."""
    with httpx.Client(timeout=60, headers=headers) as http:
        zipped = http.get(url, params={"limit": ROWS}, headers={"Accept-Encoding": "gzip"})
        plain = http.get(url, params={"limit": ROWS}, headers={"Accept-Encoding": "identity"})
    assert zipped.status_code == plain.status_code == 200, (zipped.text[:200], plain.text[:200])
    return zipped, plain


def _same_page(zipped: httpx.Response, plain: httpx.Response) -> None:
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.num_bytes_downloaded < ON_THE_WIRE_MAX < plain.num_bytes_downloaded
    page: dict[str, Any] = zipped.json()
    assert len(page["customers"]) == ROWS
    assert page == plain.json()


def test_the_sandbox_gzips_a_big_page_when_asked(big_stack: EmbeddedStack) -> None:
    sb = big_stack.sandbox
    token = _sandbox_token(big_stack)
    url = f"{sb.base_url}/api/v1/counterparty/{sb.counterparty_guid}/customers"
    _same_page(*_both_ways(url, {"Authorization": f"bearer {token}"}))


def test_the_hub_relays_a_big_dcm_page_gzipped(big_stack: EmbeddedStack,
                                               admin_token: str) -> None:
    assert big_stack.hub is not None
    url = (f"{big_stack.hub.base_url}/dcm/api/v1/counterparty/"
           f"{big_stack.sandbox.counterparty_guid}/customers")
    _same_page(*_both_ways(url, {"Authorization": f"Bearer {admin_token}"}))


def test_the_event_stream_is_never_gzipped(big_stack: EmbeddedStack, admin_token: str) -> None:
    assert big_stack.hub is not None
    headers = {"Authorization": f"Bearer {admin_token}", "Accept": "text/event-stream",
               "Accept-Encoding": "gzip"}
    with httpx.Client(timeout=20) as http, http.stream(
            "GET", big_stack.hub.base_url + "/api/v1/events", headers=headers) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in resp.headers
        lines = resp.iter_lines()
        first = next(line for line in lines if line.startswith("data:"))
        assert json.loads(first[5:])  # the "ready" frame came alone, not held in a buffer


def test_the_hub_keeps_an_idle_connection_open(big_stack: EmbeddedStack) -> None:
    """A raw socket: one request, 6.5 s idle (more than uvicorn's 5 s default), a second
    request on the SAME socket is answered."""
    assert big_stack.hub is not None
    port = int(big_stack.hub.base_url.rsplit(":", 1)[1])
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        assert _answer(sock).startswith(b"HTTP/1.1 200")
        ends = time.monotonic() + 6.5  # the idle time itself is what is tested
        while (left := ends - time.monotonic()) > 0:
            sock.settimeout(left)
            with contextlib.suppress(TimeoutError):  # a server closing it is seen (b"")
                assert sock.recv(1) != b"", "the hub closed the idle connection"
        sock.settimeout(10)
        sock.sendall(request)
        assert _answer(sock).startswith(b"HTTP/1.1 200")


@pytest.mark.asyncio
async def test_the_desk_reuses_its_hub_connection_after_an_idle_pause(
        big_stack: EmbeddedStack) -> None:
    assert big_stack.hub is not None
    link = LinkShaper(int(big_stack.hub.base_url.rsplit(":", 1)[1]))
    hub = HubClient(link.url)
    try:
        assert (await hub._http.request("GET", "/healthz"))["status"] == "ok"
        await idle_for(6.5)
        assert (await hub._http.request("GET", "/healthz"))["status"] == "ok"
        assert link.connections == 1
        assert link.requests == ["GET /healthz", "GET /healthz"]
    finally:
        await hub.aclose()
        link.close()


def _answer(sock: socket.socket) -> bytes:
    """One small HTTP answer (headers + Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "connection closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(4096)
    return head
