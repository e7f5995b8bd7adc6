"""The audit export's CSV written as it goes (``core/csv_file``): the same bytes the one-shot
export writes (BOM, CRLF, formula guard), private from its first byte, and under its name only
once committed: a discarded one leaves the file that was there and no temp file."""

from __future__ import annotations

import os
import time
from pathlib import Path

from teller_app.core.csv_file import STALE_PART_S, CsvFile
from teller_app.core.csv_safe import export_rows

HEADERS = ["#", "When (Kyiv)", "Details", "action"]
ROWS = [[3, "07.12.2026 10:00:00", "=2+2", "cash"], [2, "-5", "Київ; -1", "sign_in"],
        [1, "", "a,\"b\"\nc", "other"]]


def test_written_in_parts_it_is_the_one_shot_export(tmp_path: Path) -> None:
    out = CsvFile(tmp_path / "audit.csv", HEADERS)
    assert out.tmp is not None and os.stat(out.tmp).st_mode & 0o777 == 0o600
    assert not (tmp_path / "audit.csv").exists()  # nothing under its name while writing
    assert out.write(ROWS[:2]) == 2 and out.write(ROWS[2:]) == 3
    out.commit()
    once = export_rows(HEADERS, ROWS, tmp_path / "once.csv")
    assert (tmp_path / "audit.csv").read_bytes() == (tmp_path / "once.csv").read_bytes()
    assert once.encode("utf-8-sig") == (tmp_path / "audit.csv").read_bytes()
    assert os.stat(tmp_path / "audit.csv").st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv", "once.csv"]


def test_a_discarded_export_leaves_what_was_there(tmp_path: Path) -> None:
    path = tmp_path / "audit.csv"
    path.write_text("an earlier export")
    out = CsvFile(path, HEADERS)
    out.write(ROWS)
    out.discard()
    out.discard()  # again: nothing to do
    assert path.read_text() == "an earlier export"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.csv"]


def test_a_new_export_removes_a_killed_exports_part_files(tmp_path: Path) -> None:
    """A killed export left its temp file (partial customer data): the next export to the
    same name removes it once it is an hour old; a fresh one (an export still running) and
    other names' stay."""
    path = tmp_path / "audit.csv"
    stale = tmp_path / ".audit.csv.k1ll3d.part"
    fresh = tmp_path / ".audit.csv.runn1n.part"
    other = tmp_path / ".other.csv.k1ll3d.part"
    for part in (stale, fresh, other):
        part.write_text("#,customer\n1,Шевченко")
    hour_ago = time.time() - STALE_PART_S - 60
    for part in (stale, other):
        os.utime(part, (hour_ago, hour_ago))
    out = CsvFile(path, HEADERS)
    assert not stale.exists()
    assert fresh.exists() and other.exists()
    out.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["audit.csv", fresh.name, other.name])


def test_a_missing_folder_is_made_private(tmp_path: Path) -> None:
    out = CsvFile(tmp_path / "new" / "deeper" / "audit.csv", HEADERS)
    out.commit()
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper"):
        assert os.stat(folder).st_mode & 0o777 == 0o700
