"""The desk's encrypted audit outbox (no hub): order, encryption at rest, file modes, the
sent mark, a torn last line, and two writers sharing a file."""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import pytest

from teller_app.core.audit import (
    AuditAction,
    AuditOutbox,
    AuditTrail,
    csv_cell,
    export_rows,
    make_entry,
)


def _outbox(tmp_path: Path, key: bytes | None = None) -> AuditOutbox:
    return AuditOutbox(tmp_path / "audit" / "p.outbox", key or secrets.token_bytes(32))


def test_entries_are_encrypted_private_and_in_order(tmp_path: Path) -> None:
    box = _outbox(tmp_path)
    for i in range(5):
        box.append(make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=f"cust-{i}-visible",
                              fields=["status"], name="Ірина", phone_number="+380"))
    raw = box.path.read_bytes()
    assert b"customer_guid" not in raw and b"visible" not in raw  # nothing readable at rest
    assert stat.S_IMODE(os.stat(box.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(box.path.parent).st_mode) == 0o700
    unsent = box.unsent()
    assert [e.detail["customer_guid"] for e in unsent] == [f"cust-{i}-visible" for i in range(5)]
    first = unsent[0]
    assert first.action == "edit" and first.detail["event"] == "customer_edit"
    assert "name" not in first.detail and "phone_number" not in first.detail  # no PII
    assert first.entity == "customer:cust-0-visible" and len(first.client_id) >= 8


def test_another_key_reads_nothing_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    box = _outbox(tmp_path, key)
    box.append(make_entry(AuditAction.LOCK))
    with box.path.open("ab") as fh:
        fh.write(b"dG9ybi")  # a writer killed mid-line
    box.append(make_entry(AuditAction.UNLOCK))
    assert [e.action for e in box.unsent()] == ["lock", "unlock"]
    assert _outbox(tmp_path).unsent() == []  # a different key: nothing decrypts


def test_mark_sent_moves_over_acknowledged_entries_only(tmp_path: Path) -> None:
    box = _outbox(tmp_path, secrets.token_bytes(32))
    entries = [make_entry(AuditAction.SIGN_IN) for _ in range(3)]
    for e in entries:
        box.append(e)
    box.mark_sent([entries[1].client_id])  # not the first unsent: nothing moves
    assert len(box.unsent()) == 3
    box.mark_sent([entries[0].client_id, entries[1].client_id])
    assert [e.client_id for e in box.unsent()] == [entries[2].client_id]
    box.mark_sent([entries[2].client_id])
    assert box.unsent() == [] and box.path.read_bytes() == b""  # emptied when all went


def test_flush_sends_in_order_and_keeps_entries_while_the_hub_is_down(tmp_path: Path) -> None:
    box = _outbox(tmp_path)
    got: list[str] = []
    down = True

    async def send(batch: list[dict[str, Any]]) -> None:
        if down:
            from teller_app.platform import HubUnavailable

            raise HubUnavailable("down")
        got.extend(e["client_id"] for e in batch)

    trail = AuditTrail(box, send)
    ids = [trail.record(AuditAction.CASH_CREATE, amount="10.00").client_id for _ in range(450)]
    from teller_app.platform import HubUnavailable

    with pytest.raises(HubUnavailable):
        asyncio.run(trail.flush())
    assert len(box.unsent()) == 450
    down = False
    assert asyncio.run(trail.flush()) == 450
    assert got == ids and box.unsent() == []


def test_csv_cells_cannot_run_formulas(tmp_path: Path) -> None:
    text = export_rows(["a", "b"], [["=1+1", "@x"], ["-2", "ok"], ["-2+3", "\tx"]],
                       tmp_path / "a.csv")
    assert text.splitlines()[1:] == ["'=1+1,'@x", "-2,ok", "'-2+3,'\tx"]
    assert csv_cell("+380") == "'+380"
    # Ukrainian Excel splits on ";": a formula right after a separator is quoted too
    assert csv_cell("Шевченко;=1+1") == "Шевченко;'=1+1"
    assert csv_cell("a, -2;\t@x") == "a, -2;\t'@x" and csv_cell("5-2=3") == "5-2=3"
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").startswith("a,b")


@pytest.mark.parametrize(("cell", "safe"), [
    ("-1234.56", "-1234.56"), ("-1234,56", "-1234,56"), ("42", "42"),  # numbers stay numbers
    ("Рахунок 5, -10% знижка", "Рахунок 5, -10% знижка"),  # a space: text, left as typed
    ("x;=1+1", "x;'=1+1"), ("x,+1", "x,'+1"), ("x\t@SUM(A1)", "x\t'@SUM(A1)"),
    ("-10% знижка", "'-10% знижка"), ("\r=1", "'\r=1"),
    ("- 5", "'- 5"), ("-5-5", "'-5-5"), ("1e3", "1e3"),
])
def test_the_formula_guard_leaves_numbers_and_typed_text(cell: str, safe: str) -> None:
    """Only what a spreadsheet would run is quoted: a cell's start, or a formula character
    right after a separator; a plain signed number is data (a quote would make it text)."""
    assert csv_cell(cell) == safe


def test_an_export_over_an_older_readable_file_is_private(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Writing over a file another program left 0644 still gives a 0600 file (it is
    replaced, not rewritten in place), with the CSV whole."""
    import os

    from teller_app.core.audit import export_rows

    target = tmp_path / "audit.csv"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o644)
    text = export_rows(["when", "who"], [["=1+1", "teller@bank.ua"]], target)
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_bytes() == text.encode("utf-8-sig")
    assert "'=1+1" in text  # formula-safe
