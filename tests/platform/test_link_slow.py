"""The desk's clients on a branch's slow backup link (LTE/3G: 300-800 ms RTT, stalls), through
a real TCP proxy in front of real servers: a slow TLS handshake still connects, an idle pause
keeps its connection, and a stalled read tells the teller within the interactive deadline
while background work keeps every retry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tls_server import https_server, make_cert

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HUB_TIMEOUT
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy, Timeout
from teller_app.platform._http import HttpCore, background_calls
from teller_app.platform.hub_client import HubClient
from teller_app.platform.transport import TransportSettings
from tests.link_shaper import LinkShaper, idle_for

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
NO_RETRY = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)
HANDSHAKE_S = 4.0  # a SYN resent (1 s) + TCP and TLS 1.2 at ~1 s RTT: more than the old 2-3 s


@pytest.fixture()
def link(sandbox: SandboxProcess) -> Iterator[LinkShaper]:
    shaper = LinkShaper(int(sandbox.base_url.rsplit(":", 1)[1]))
    yield shaper
    shaper.close()


def _teller(sb: SandboxProcess, url: str) -> PlatformClient:
    emp = sb.employee("Teller", 0)
    return PlatformClient(url, sb.counterparty_guid,
                          auth=PasswordLogin(emp["email"], emp["password"]))


async def test_a_slow_tls_handshake_still_connects_every_client(tmp_path: Path) -> None:
    cert = make_cert(tmp_path)
    with https_server(cert) as server:
        shaper = LinkShaper(int(server.url.rsplit(":", 1)[1]))
        shaper.handshake_delay = HANDSHAKE_S
        tls = TransportSettings(ca_bundle=str(cert.cert_pem))
        platform = HttpCore(shaper.https_url, retry=NO_RETRY, settings=tls)
        hub = HubClient(shaper.https_url, retry=NO_RETRY, settings=tls)
        session_hub = HubClient(shaper.https_url, timeout=HUB_TIMEOUT, retry=NO_RETRY,
                                settings=tls)
        try:
            started = time.monotonic()
            assert (await platform.request("GET", "/a"))["path"] == "/a"
            assert time.monotonic() - started >= HANDSHAKE_S  # the handshake was that slow
            # one after the other: the test server does its TLS handshakes one at a time
            assert (await hub._http.request("GET", "/b"))["path"] == "/b"
            assert (await session_hub._http.request("GET", "/c"))["path"] == "/c"
            async for _ in hub.stream_events():  # the SSE stream's own timeout: no events here
                pass
            assert [path for _, path, _ in server.recorded.requests] == [
                "/a", "/b", "/c", "/api/v1/events"]
        finally:
            for client in (platform, hub, session_hub):
                await client.aclose()
            shaper.close()


async def test_an_idle_pause_keeps_the_connection(sandbox: SandboxProcess,
                                                 link: LinkShaper) -> None:
    """Idle 6 s between two actions (more than httpx's and uvicorn's 5 s defaults): the second
    call goes over the same connection (a new one costs TCP + TLS, ~1 s on the slow link)."""
    client = _teller(sandbox, link.url)
    try:
        await client.login()
        page = await client.list_customers(limit=1)
        opened = link.connections
        assert opened == 1
        await idle_for(6.5)
        await client.get_customer(page.customers[0].wallet_user_guid)
        assert link.connections == opened
        assert link.requests[-1].startswith("GET ")
    finally:
        await client.aclose()


async def test_an_interactive_read_on_a_stalled_link_gives_up_within_the_deadline(
        sandbox: SandboxProcess, link: LinkShaper) -> None:
    client = _teller(sandbox, link.url)
    try:
        await client.login()
        guid = (await client.list_customers(limit=1)).customers[0].wallet_user_guid
        link.stall = True
        sent = len(link.requests)
        started = time.monotonic()
        with pytest.raises(Timeout):
            await client.get_customer(guid)  # a card open
        waited = time.monotonic() - started
        assert waited < 13.0, waited  # not 3 x 10 s
        assert len(link.requests) - sent == 2  # one retry after the read timeout
    finally:
        await client.aclose()


async def test_background_calls_keep_every_attempt_on_a_stalled_link(link: LinkShaper
                                                                     ) -> None:
    retry = RetryPolicy(attempts=3, base_delay=0.01, jitter=False)
    http = HttpCore(link.url, timeout=httpx.Timeout(1.5), retry=retry, deadline=2.0)
    link.stall = True
    try:
        with pytest.raises(Timeout):
            await http.request("GET", "/healthz")  # interactive: no time left for a retry
        assert len(link.requests) == 1
        with background_calls(), pytest.raises(Timeout):
            await http.request("GET", "/healthz")
        assert len(link.requests) == 1 + 3
    finally:
        await http.aclose()
