"""A torn outbox line (what a killed writer or a full disk leaves of one of our lines) is
never taken for a line sealed with another key, whatever its length: it is skipped, not
counted as waiting, and dropped when the outbox is emptied. A whole line sealed with another
key still is kept and counted (that instance's entry). Real outbox files."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from teller_app.core.audit import AuditAction, AuditOutbox, make_entry

KEY = secrets.token_bytes(32)


def _outbox(tmp_path: Path, key: bytes = KEY) -> AuditOutbox:
    return AuditOutbox(tmp_path / "audit" / "p.outbox", key)


def _sealed_line(box: AuditOutbox) -> bytes:
    """One whole line as ``box`` seals an entry (no newline)."""
    return box._seal(make_entry(AuditAction.CASH_CONFIRM, payment_guid="p1").stored())


def test_a_torn_line_of_any_length_is_dropped_when_all_is_sent(tmp_path: Path) -> None:
    whole = len(_sealed_line(_outbox(tmp_path)))
    for cut in range(1, whole, 3):  # lengths all along the line, every residue mod 4
        box = _outbox(tmp_path / str(cut))
        box.append(make_entry(AuditAction.CUSTOMER_EDIT, customer_guid="c1"))
        with box.path.open("ab") as fh:
            fh.write(_sealed_line(box)[:cut])  # the writer stopped here
        box.append(make_entry(AuditAction.SIGN_OUT))
        assert [e.action for e in box.unsent()] == ["edit", "sign_out"], cut
        assert box.waiting() == 2, cut  # the torn line is nothing anyone could still send
        box.mark_sent([e.client_id for e in box.unsent()])
        assert (box.waiting(), box.path.read_bytes()) == (0, b""), cut  # emptied, torn too


def test_a_whole_line_of_another_key_is_kept_and_counted(tmp_path: Path) -> None:
    box = _outbox(tmp_path)
    other = _outbox(tmp_path, secrets.token_bytes(32))  # a second instance, its own key
    other.append(make_entry(AuditAction.LOCK))
    box.append(make_entry(AuditAction.UNLOCK))
    assert [e.action for e in box.unsent()] == ["unlock"] and box.waiting() == 2
    kept = other.path.read_bytes().split(b"\n")[0]
    box.mark_sent([e.client_id for e in box.unsent()])
    assert box.waiting() == 1  # the other instance's entry is not emptied away
    assert kept in box.path.read_bytes()


@pytest.mark.parametrize("cut", [60, 120, 200])
def test_a_torn_line_of_another_key_is_kept_for_it(tmp_path: Path, cut: int) -> None:
    """What this key cannot tell from a whole foreign line is kept, as before: the other
    instance's entry is never emptied away on a guess."""
    box = _outbox(tmp_path)
    box.append(make_entry(AuditAction.LOCK))
    other_line = _sealed_line(_outbox(tmp_path, secrets.token_bytes(32)))
    with box.path.open("ab") as fh:
        fh.write(other_line[:cut] + b"\n")
    box.append(make_entry(AuditAction.UNLOCK))
    assert [e.action for e in box.unsent()] == ["lock", "unlock"]
    box.mark_sent([e.client_id for e in box.unsent()])
    assert box.waiting() == 1
