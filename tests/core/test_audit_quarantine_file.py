"""A quarantined audit entry (refused by the hub, also reduced) stays in the outbox file: it
is never offered for sending, it survives the outbox being emptied (its record is carried in
the sent mark, written first), even a crash that emptied the file before its record was
written back, and it counts as waiting. Entries after it go as before. Real encrypted file."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path

from teller_app.core.audit import AuditAction, AuditOutbox, make_entry
from teller_app.core.audit_refused import reduced


def _lines(box: AuditOutbox) -> list[bytes]:
    return [raw for raw in box.path.read_bytes().split(b"\n") if raw.strip()]


def test_a_quarantined_entry_outlives_emptying_and_a_crash_in_it(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", key)
    sent, bad, after = (make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=f"c-{i}")
                        for i in range(3))
    for entry in (sent, bad, after):
        box.append(entry)
    box.quarantine(bad, "invalid request: entries.0.detail: too large")
    assert [e.client_id for e in box.unsent()] == [sent.client_id, after.client_id]
    assert box.waiting() == 3

    box.mark_sent([sent.client_id, after.client_id])  # all sent: the file is emptied...
    assert box.unsent() == [] and len(_lines(box)) == 1  # ...but for the record
    kept = replace(reduced(bad, "invalid request: entries.0.detail: too large"),
                   client_id=bad.client_id)  # its reduced form, under its own id
    assert [(h.entry, h.refusal) for h in box.quarantined()] == [
        (kept, "invalid request: entries.0.detail: too large")]
    assert box.waiting() == 1
    assert any(mark.startswith("q:") for mark in box.sent_path.read_text().split())

    # a crash right after the file was emptied, before the record was written back
    box.path.write_bytes(b"")
    reopened = AuditOutbox(box.path, key)
    assert [h.entry for h in reopened.quarantined()] == [kept]
    assert len(_lines(reopened)) == 1 and reopened.waiting() == 1

    # what is recorded next is sent as ever, and its sending keeps the record
    new = make_entry(AuditAction.LOCK)
    reopened.append(new)
    assert reopened.unsent() == [new]
    reopened.mark_sent([new.client_id])
    assert reopened.unsent() == [] and [h.entry for h in reopened.quarantined()] == [kept]
    assert len(_lines(reopened)) == 1


def test_a_huge_quarantined_entry_is_kept_clipped(tmp_path: Path) -> None:
    """Refused for its size (413: megabytes, written before details were cut), an entry's
    record is carried in the outbox and in every sent mark: a few kilobytes, not its size."""
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    huge = make_entry(AuditAction.CUSTOMER_EDIT, customer_guid="c-huge")
    huge = replace(huge, detail={**huge.detail, "note": "x" * 2_000_000})
    after = make_entry(AuditAction.LOCK)
    box.append(huge)
    box.append(after)
    box.quarantine(huge, "request body too large")
    box.mark_sent([after.client_id])  # the file is emptied but for the record
    assert [e.client_id for e in box.unsent()] == [] and box.waiting() == 1
    assert box.path.stat().st_size < 8_000 and box.sent_path.stat().st_size < 8_000
    [held] = box.quarantined()
    assert held.entry.client_id == huge.client_id and "c-huge" in str(held.entry.detail)
