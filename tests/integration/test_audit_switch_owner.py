"""Whose entry at a switch of employee: the teller's last entry is still on its way to the hub
(the hub is slow: its request is held) when a supervisor signs in on the lock screen and
works. The supervisor's entry is theirs from the switch on (stamped with them at once) and
reaches the hub under the supervisor, after the teller's went under the teller, never with the
teller's session.

Real sandbox + Teller Hub over loopback and the real encrypted outbox; the teller's hub link
goes through a TCP relay this test holds (accepted, nothing forwarded) until it lets go."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hub_stack_helpers import audit_rows as _rows
from hub_stack_helpers import desk_session as _sign_in

from teller_app.core.audit_desk import DeskAudit
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import HubLink
from teller_app.platform._http import RetryPolicy
from teller_app.platform.hub_client import HubClient
from tests.loopback_proxy import LoopbackProxy

pytestmark = [pytest.mark.slow]
TELLER = "teller.kyiv@demo.bank"
SUPERVISOR = "supervisor.kyiv@demo.bank"
PROFILE = "sandbox"
WAIT_S = 30.0  # a deadline, never a pause: each wait ends as soon as its condition holds


class HoldingRelay(LoopbackProxy):
    """A TCP relay to the hub: connections are accepted at once but forwarded only after
    ``release()`` (the hub answering as late as the test wants)."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        super().__init__(parts.port or 80, upstream_host=parts.hostname or "127.0.0.1",
                         name="holding-relay")
        self.held = asyncio.Event()  # a request is waiting in the relay (on the test's loop)
        self._test_loop = asyncio.get_running_loop()
        self._released = asyncio.Event()  # on the relay's own loop

    def release(self) -> None:
        self.call_in_loop(self._released.set)

    async def on_accept(self, shared: dict[str, Any]) -> None:
        self._test_loop.call_soon_threadsafe(self.held.set)
        await self._released.wait()

    async def aclose(self) -> None:
        self.release()
        await asyncio.to_thread(self.close)


@pytest.mark.asyncio
async def test_the_newcomers_entry_is_theirs_while_the_leavers_flush_is_held(
        hub_stack: EmbeddedStack, tmp_path: Path) -> None:
    key = secrets.token_bytes(32)

    async def key_source(_profile: str) -> bytes:
        return key

    theirs, mine = str(uuid.uuid4()), str(uuid.uuid4())
    relay = HoldingRelay(str(hub_stack.hub_url))
    slow = HubClient(relay.start().url, retry=RetryPolicy(attempts=1))
    teller = await _sign_in(hub_stack, TELLER)
    supervisor = await _sign_in(hub_stack, SUPERVISOR)
    desk = DeskAudit(PROFILE, HubLink(slow, teller.client, teller.branch_guid), "desk-1",
                     key_source=key_source, base=tmp_path, employee=TELLER)
    try:
        desk.record("customer_opened", customer_guid=theirs)
        await asyncio.wait_for(relay.held.wait(), WAIT_S)  # the teller's flush is under way
        handing = desk.switch(supervisor.hub, employee=SUPERVISOR)  # the lock screen's switch
        entry = desk.record("customer_opened", customer_guid=mine)  # the supervisor works
        assert entry.owner == SUPERVISOR
        assert not handing.done()  # the teller's entry is still on its way
        relay.release()
        await asyncio.wait_for(handing, WAIT_S)
        await asyncio.wait_for(desk.drain(), WAIT_S)  # the flush turn after the hand-over
        assert await desk.unsent() == []
        # each entry once, under who recorded it: the supervisor's never with the teller's
        assert await _rows(supervisor, mine) == [(SUPERVISOR, "customer_opened")]
        assert await _rows(supervisor, theirs) == [(TELLER, "customer_opened")]
    finally:
        await desk.aclose()
        await slow.aclose()  # its connections end, and with them the relay's pipes
        await relay.aclose()
        await teller.close()
        await supervisor.close()
