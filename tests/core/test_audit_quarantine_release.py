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
