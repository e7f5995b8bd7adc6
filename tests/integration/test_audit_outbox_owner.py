"""Whose audit entry: a teller records an action while the hub cannot be reached and signs out;
a supervisor signs in on the same desk profile and that desk flushes the outbox. The hub must
never log the teller's entry under the supervisor: it waits in the (real, encrypted) outbox
until the teller signs in again, and is then logged once, under the teller.

Real sandbox + Teller Hub over loopback (the hub names the actor from the sending session);
the teller's hub link points at a port nobody listens on (the hub down for that desk)."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import pytest
from hub_stack_helpers import audit_rows as _rows
from hub_stack_helpers import desk_session as _sign_in

from teller_app.core.audit_desk import DeskAudit
from teller_app.core.embedded_hub import free_port
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import HubLink
from teller_app.platform._http import RetryPolicy
from teller_app.platform.hub_client import HubClient

pytestmark = [pytest.mark.slow]
TELLER = "teller.kyiv@demo.bank"
SUPERVISOR = "supervisor.kyiv@demo.bank"
PROFILE = "sandbox"


@pytest.mark.asyncio
async def test_an_entry_is_logged_under_who_recorded_it_never_the_next_employee(
        hub_stack: EmbeddedStack, tmp_path: Path) -> None:
    key = secrets.token_bytes(32)  # one outbox key for the desk (as its keyring keeps it)

    async def key_source(_profile: str) -> bytes:
        return key

    marker, own = str(uuid.uuid4()), str(uuid.uuid4())
    teller = await _sign_in(hub_stack, TELLER)
    down = HubClient(f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(attempts=1))
    # the desk as supervision makes it: the session's link (here to a hub that is down)
    desk_a = DeskAudit(PROFILE, HubLink(down, teller.client, teller.branch_guid), "desk-1",
                       key_source=key_source, base=tmp_path)
    desk_a.record("customer_opened", customer_guid=marker)
    waiting = await desk_a.unsent()
    assert [(e.entity, e.owner) for e in waiting] == [(f"customer:{marker}", TELLER)]
    await desk_a.aclose()
    await down.aclose()
    await teller.close()

    supervisor = await _sign_in(hub_stack, SUPERVISOR)
    try:
        desk_b = DeskAudit(PROFILE, supervisor.hub, "desk-1", key_source=key_source,
                           base=tmp_path)
        assert await desk_b.flush() == 0  # the teller's entry is not the supervisor's to send
        desk_b.record("customer_opened", customer_guid=own)
        await desk_b.drain()
        assert await desk_b.flush() == 0 and await _rows(supervisor, own) == [
            (SUPERVISOR, "customer_opened")]
        assert [e.owner for e in await desk_b.unsent()] == [TELLER]  # still waiting
        # the supervisor reads the branch's trail: nothing of the teller's entry yet
        assert await _rows(supervisor, marker) == []
        await desk_b.aclose()
    finally:
        await supervisor.close()

    teller = await _sign_in(hub_stack, TELLER)
    try:
        desk_a = DeskAudit(PROFILE, teller.hub, "desk-1", key_source=key_source, base=tmp_path)
        assert await desk_a.flush() == 1
        assert await desk_a.unsent() == []
        assert (tmp_path / "audit" / f"{PROFILE}.outbox").read_bytes() == b""
        assert await _rows(teller, marker) == [(TELLER, "customer_opened")]
        await desk_a.aclose()
    finally:
        await teller.close()
    supervisor = await _sign_in(hub_stack, SUPERVISOR)
    try:  # the branch's whole trail: the entry once, under the teller, never the supervisor
        assert await _rows(supervisor, marker) == [(TELLER, "customer_opened")]
    finally:
        await supervisor.close()
