"""``remove_overwritten``: a key file that moved into the keyring is overwritten with zeros
and removed, and never leaves zeros under its own name (where they would read as a key); a
file with other hard links (a backup's) is only unlinked; a removal a stop interrupted is
finished by ``sweep_removing``. Real files."""

from __future__ import annotations

import os
from pathlib import Path

from teller_app.core.private_files import REMOVING, remove_overwritten, sweep_removing

KEY = bytes(range(1, 33))


def test_the_blocks_are_zeroed_and_nothing_is_left(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    path.write_bytes(KEY)
    with open(path, "rb") as held:  # sees the file's own blocks after it is gone
        remove_overwritten(path)
        assert held.read() == bytes(len(KEY))
    assert list(tmp_path.iterdir()) == []


def test_a_hard_linked_file_is_only_unlinked(tmp_path: Path) -> None:
    path, backup = tmp_path / "master.key", tmp_path / "backup.key"
    path.write_bytes(KEY)
    os.link(path, backup)
    remove_overwritten(path)
    assert not path.exists() and backup.read_bytes() == KEY  # the backup keeps its key


def test_an_interrupted_removal_is_finished(tmp_path: Path) -> None:
    leftover = tmp_path / f".master.key{REMOVING}"
    leftover.write_bytes(KEY)
    other = tmp_path / "hub.db"
    other.write_bytes(b"data")
    with open(leftover, "rb") as held:
        sweep_removing(tmp_path)
        assert held.read() == bytes(len(KEY))
    assert list(tmp_path.iterdir()) == [other]

