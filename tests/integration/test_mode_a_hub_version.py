"""Mode A sign-in reads the hub's ``/version`` alongside opening the hub session (not after
it), so a slow hub adds its wait once; the results stay: the version when the hub session
opened, none when it did not. Real sandbox and hub processes; the hub's transport only
holds or refuses a request (fault injection)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest
from hub_stack_helpers import password_of

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.platform.hub_client import SESSIONS_PATH, VERSION_PATH
from teller_app.secrets import Profile

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]
TELLER = "teller.kyiv@demo.bank"
HELD = 5.0  # how long the session's opening waits for the version's request at most


class _HubSeen(httpx.AsyncBaseTransport):
    """The real hub, with the hub session's opening held until ``/version`` was asked
    (``HELD`` s at most: asked only after the opening, it never is), or refused (503)."""

    def __init__(self, *, refuse_session: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.version_asked = asyncio.Event()
        self.asked_before_session: bool | None = None
        self.refuse_session = refuse_session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith(VERSION_PATH):
            self.version_asked.set()
        elif request.method == "POST" and path.endswith(SESSIONS_PATH):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.version_asked.wait(), HELD)
            self.asked_before_session = self.version_asked.is_set()
            if self.refuse_session:
                return httpx.Response(503, json={"error": "injected"})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _sign_in(stack: EmbeddedStack, hub: _HubSeen) -> Any:
    profile = Profile(name="t", base_url=stack.sandbox.base_url,
                      counterparty_guid=stack.sandbox.counterparty_guid, hub_url=stack.hub_url)
    return await open_session(profile, PasswordLogin(TELLER, password_of(stack.sandbox, TELLER)),
                              hub_transport=hub)


async def test_the_version_is_read_alongside_the_hub_session(hub_stack: EmbeddedStack) -> None:
    """Review: Mode A read ``/version`` only after the hub session had opened, one after the
    other (up to HUB_VERSION_WAIT more on a slow hub)."""
    hub = _HubSeen()
    session = await _sign_in(hub_stack, hub)
    try:
        assert hub.asked_before_session is True  # overlapped, not one after the other
        assert session.hub_available and session.hub is not None
        assert session.hub_version is not None  # the same result as before
        assert session.hub_version == await session.hub.hub.version()
    finally:
        await session.close()


async def test_no_version_when_the_hub_session_did_not_open(hub_stack: EmbeddedStack) -> None:
    hub = _HubSeen(refuse_session=True)
    session = await _sign_in(hub_stack, hub)
    try:
        assert hub.version_asked.is_set()  # it answered, but the hub is not usable
        assert not session.hub_available and session.hub_problem
        assert session.hub_version is None and not session.desk_too_old
    finally:
        await session.close()
