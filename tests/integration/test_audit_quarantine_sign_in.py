"""At sign-in the desk's audit tries again the quarantined entries an older hub refused: it
reads the hub's version (``/api/v1/version``, as the session's handshake does), sends the
entry another hub refused, and leaves the one this very hub refused minutes ago alone (no
flood). Real sandbox + Teller Hub over loopback, the real desk audit and outbox file."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from hub_stack_helpers import desk_session as _sign_in

from teller_app.core.audit import AuditAction, AuditOutbox, make_entry, outbox_path, owner_of
from teller_app.core.audit_desk import DeskAudit
from teller_app.core.embedded_stack import EmbeddedStack

pytestmark = [pytest.mark.slow]
TELLER = "teller.kyiv@demo.bank"
PROFILE = "sandbox"


@pytest.mark.asyncio
async def test_sign_in_to_an_upgraded_hub_sends_what_the_old_one_refused(
        hub_stack: EmbeddedStack, tmp_path: Path) -> None:
    key = secrets.token_bytes(32)

    async def key_source(_profile: str) -> bytes:
        return key

    upgraded, recent = str(uuid.uuid4()), str(uuid.uuid4())
    teller = await _sign_in(hub_stack, TELLER)
    try:
        assert teller.hub is not None and teller.hub_version is not None
        this_hub = f"{teller.hub_version.hub} API {teller.hub_version.api}"
        box = AuditOutbox(outbox_path(PROFILE, tmp_path), key)
        for mark, hub in ((upgraded, "Teller Hub 0.0.1 API 1"), (recent, this_hub)):
            entry = replace(make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=mark),
                            owner=owner_of(TELLER))
            box.quarantine(entry, "invalid request: entries.0: unknown field", hub)
        assert box.waiting() == 2
        desk = DeskAudit(PROFILE, teller.hub, "desk-1", key_source=key_source, base=tmp_path)
        try:
            assert await desk.flush() == 1
            assert await desk.flush() == 0  # not again in this session
        finally:
            await desk.aclose()
        listed = await teller.hub.call(lambda hub: hub.audit(limit=1000))
        rows = [e for e in listed.entries if upgraded in e.entity or recent in e.entity]
        assert [(e.entity, e.actor, e.action) for e in rows] == [
            (f"customer:{upgraded}", TELLER, "other")]
        assert [h.entry.entity for h in box.quarantined()] == [f"customer:{recent}"]
        assert box.waiting() == 1
    finally:
        await teller.close()
