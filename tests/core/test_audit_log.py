"""Audit trail: hash chain, tamper detection, PII stripping, CSV escaping."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from teller_app.core.audit import (
    GENESIS,
    AuditAction,
    AuditLog,
    audit_path,
    csv_cell,
    entry_hash,
    export_csv,
)


def _log(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit" / "p.jsonl")
    log.append(AuditAction.SIGN_IN, "emp-1")
    log.append(
        AuditAction.CHANGE_REQUEST, "emp-1", customer_guid="c-1", change={"is_disabled": True}
    )
    log.append(AuditAction.APPROVAL, "emp-2", customer_guid="c-1", request_id="r1")
    return log


def test_chain_links_and_verifies(tmp_path: Path) -> None:
    log = _log(tmp_path)
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev == GENESIS
    assert entries[1].prev == entries[0].hash and entries[2].prev == entries[1].hash
    assert log.verify().ok and log.verify().entries == 3
    # A new AuditLog on the same file continues the chain.
    again = AuditLog(log.path)
    again.append(AuditAction.SIGN_OUT, "emp-1")
    assert again.verify().ok and again.entries()[-1].prev == entries[2].hash


def test_edit_is_detected_at_the_edited_entry(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text(encoding="utf-8").splitlines()
    body = json.loads(lines[1])
    body["actor"] = "emp-9"
    lines[1] = json.dumps(body)
    log.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 2 and "hash" in result.reason


def test_recomputed_hash_still_breaks_the_next_link(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text(encoding="utf-8").splitlines()
    body = json.loads(lines[0])
    body["details"] = {"forged": True}
    body["hash"] = entry_hash(body)
    lines[0] = json.dumps(body)
    log.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert log.verify().first_broken_seq == 2


def test_deleted_line_is_detected(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text(encoding="utf-8").splitlines()
    del lines[1]
    log.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert log.verify().first_broken_seq == 2


def test_personal_data_keys_are_dropped(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.jsonl")
    entry = log.append("customer_create", "e", customer_guid="c", name="Іван", phone_number="+380")
    assert entry.details == {"customer_guid": "c"}


def test_audit_path_is_per_profile(tmp_path: Path) -> None:
    assert audit_path("Kyiv desk/1", tmp_path) == tmp_path / "audit" / "Kyiv_desk_1.jsonl"


def test_csv_escapes_formula_cells(tmp_path: Path) -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(dangerous) == "'" + dangerous
    assert csv_cell("safe") == "safe"
    log = AuditLog(tmp_path / "a.jsonl")
    log.append("approval", "=HYPERLINK(\"http://x\")", customer_guid="@evil")
    out = tmp_path / "out.csv"
    text = export_csv(log.entries(), out)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["seq", "at", "action", "actor"]
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")" and rows[1][4] == "'@evil"
    assert out.read_bytes().decode("utf-8-sig") == text


def test_two_instances_on_one_profile_extend_one_chain(tmp_path: Path) -> None:
    first, second = AuditLog(tmp_path / "p.jsonl"), AuditLog(tmp_path / "p.jsonl")
    for i in range(3):
        first.append("lock", f"a{i}")
        second.append("unlock", f"b{i}")
    assert first.verify().ok and first.verify().entries == 6
    assert first.head_hash() == second.entries()[-1].hash


def test_a_torn_last_line_is_skipped_and_the_next_entry_starts_on_a_new_line(
    tmp_path: Path,
) -> None:
    log = _log(tmp_path)
    head = log.head_hash()
    with log.path.open("ab") as fh:
        fh.write(b'{"seq": 4, "action": "lo')  # the app died mid-write
    assert log.head_hash() == head  # the torn line does not break reading the tail
    entry = log.append(AuditAction.SIGN_OUT, "emp-1")
    assert entry.seq == 4 and entry.prev == head
    lines = log.path.read_bytes().split(b"\n")
    assert lines[3] == b'{"seq": 4, "action": "lo'
    assert json.loads(lines[4])["hash"] == entry.hash
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 4 and "JSON" in result.reason
    assert [e.seq for e in log.entries()] == [1, 2, 3, 4]


def test_submit_appends_in_order_on_the_writer_thread(tmp_path: Path) -> None:
    import threading
    from datetime import UTC, datetime

    threads: list[str] = []

    def clock() -> datetime:
        threads.append(threading.current_thread().name)
        return datetime.now(UTC)

    log = AuditLog(tmp_path / "p.jsonl", clock=clock)
    futures = [log.submit(AuditAction.LOCK, f"emp-{i}") for i in range(30)]
    entries = log.entries()  # waits for what was submitted before it
    assert all(f.done() for f in futures)
    assert [e.actor for e in entries] == [f"emp-{i}" for i in range(30)]
    assert log.verify().ok
    assert threads and all(name.startswith("audit-writer") for name in threads)
    assert threading.current_thread().name not in threads
