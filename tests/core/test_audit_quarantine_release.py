"""A quarantined audit entry the hub took on a later try leaves the quarantine for good (the
file and its sent mark, a restart); one refused again keeps one record, the newest refusal.
What deleting the outbox would lose (``waiting``) counts neither twice nor the released."""

from __future__ import annotations

import secrets
from pathlib import Path

from teller_app.core.audit import AuditAction, AuditOutbox, make_entry


def test_a_released_entry_leaves_the_file_and_its_sent_mark(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", key)
    held, kept, waiting = (make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=g)
                           for g in ("held", "kept", "waiting"))
    for entry in (held, kept, waiting):
        box.append(entry)
    box.quarantine(held, "refused", "hub 1")
    box.quarantine(kept, "refused", "hub 1")
    box.mark_sent([])  # the held ones are passed over; "waiting" waits
    assert box.waiting() == 3
    box.release([held.client_id])
    assert [h.entry.client_id for h in box.quarantined()] == [kept.client_id]
    assert [e.client_id for e in box.unsent()] == [waiting.client_id]  # never the released
    assert box.waiting() == 2
    reopened = AuditOutbox(box.path, key)
    assert [h.entry.client_id for h in reopened.quarantined()] == [kept.client_id]
    reopened.mark_sent([waiting.client_id])  # all sent: emptied but for the one still held
    assert len([line for line in box.path.read_bytes().split(b"\n") if line]) == 1
    assert len(box.sent_path.read_text().split()) == 2  # the count and that one record
    assert [h.entry.client_id for h in box.quarantined()] == [kept.client_id]
    box.release([kept.client_id])
    assert box.path.read_bytes() == b"" and box.sent_path.read_text().split() == ["0"]
    assert box.quarantined() == [] and box.unsent() == [] and box.waiting() == 0


def test_refused_again_keeps_one_record_with_the_newest_refusal(tmp_path: Path) -> None:
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    entry = make_entry(AuditAction.LOCK)
    box.append(entry)
    box.quarantine(entry, "first words", "hub 1")
    box.mark_sent([])
    [first] = box.quarantined()
    box.requarantine(first, "second words", "hub 2")
    [again] = box.quarantined()
    assert (again.entry, again.refusal, again.hub) == (first.entry, "second words", "hub 2")
    assert box.waiting() == 1 and box.unsent() == []


def test_a_try_the_hub_did_not_answer_is_made_again_later(tmp_path: Path) -> None:
    """A try of the held entries that meets a hub down (or a 429) fails neither the trail's
    flush nor the held entries: it is logged, and made again ``AFTER_FAILURE_S`` later,
    not at every flush; a hub version not read is asked again at that try."""
    import asyncio
    import time

    from teller_app.core import audit_retry
    from teller_app.platform import Unavailable

    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    entry = make_entry(AuditAction.LOCK)
    box.append(entry)
    box.quarantine(entry, "refused", "hub 1")
    box.mark_sent([])
    sent: list[object] = []
    versions = iter(["", "hub 2", "hub 3"])

    async def down(batch: list[dict[str, object]]) -> list[object]:
        sent.append(batch)
        raise Unavailable("the hub cannot be reached")

    async def version() -> str:
        return next(versions)

    retry = audit_retry.HeldRetry(version)
    assert asyncio.run(retry.hub()) == ""  # not read: asked again, not kept as ""
    assert asyncio.run(retry.run(box, down, None)) == 0  # no exception: the flush goes on
    assert len(sent) == 1
    assert [h.entry.client_id for h in box.quarantined()] == [entry.client_id]
    assert asyncio.run(retry.run(box, down, None)) == 0  # too soon: not tried
    assert len(sent) == 1
    assert retry._tried is not None
    retry._tried -= audit_retry.AFTER_FAILURE_S  # ten minutes on
    assert asyncio.run(retry.run(box, down, None)) == 0
    assert len(sent) == 2 and asyncio.run(retry.hub()) == "hub 2"  # kept once read
    assert time.monotonic() - retry._tried >= 0
