"""The hub's private files (``hub/files``) on a failing disk: a key or token file made once is
whole or absent, never empty or half-written, and nothing is left behind. A full disk on a
real tmpfs (skipped without root); short and failing ``os.write`` by fault injection."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from fs_faults import fill, small_fs

from teller_app.hub import files
from teller_app.hub.files import create_private_once, write_private

KEY = bytes(range(1, 33))


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != ".filler")


def test_a_key_made_on_a_full_disk_is_not_left_empty(tmp_path: Path) -> None:
    with small_fs(tmp_path, "1m") as fs:
        data = fs / "hub"
        data.mkdir()
        filler = fill(fs)
        with pytest.raises(OSError) as info:
            create_private_once(data / "master.key", KEY)
        assert info.value.errno == errno.ENOSPC
        assert _names(data) == []  # no empty master.key, no temp file
        filler.unlink()
        assert create_private_once(data / "master.key", KEY)
        assert (data / "master.key").read_bytes() == KEY
        assert stat.S_IMODE((data / "master.key").stat().st_mode) == 0o600
        assert not create_private_once(data / "master.key", b"another key")  # once
        assert (data / "master.key").read_bytes() == KEY and _names(data) == ["master.key"]


def test_short_writes_are_written_to_the_end(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write

    def five_bytes(fd: int, data: Any) -> int:
        return real_write(fd, bytes(data[:5]))

    monkeypatch.setattr(files.os, "write", five_bytes)
    assert create_private_once(tmp_path / "admin.token", KEY)
    assert (tmp_path / "admin.token").read_bytes() == KEY
    write_private(tmp_path / "hub.json", KEY)
    assert (tmp_path / "hub.json").read_bytes() == KEY


def _no_space(fd: int, data: Any) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hub.json").write_bytes(b"before")
    monkeypatch.setattr(files.os, "write", _no_space)
    with pytest.raises(OSError):
        create_private_once(tmp_path / "admin.token", KEY)
    with pytest.raises(OSError):
        write_private(tmp_path / "hub.json", b"after")
    assert _names(tmp_path) == ["hub.json"]  # no empty admin.token, no temp files
    assert (tmp_path / "hub.json").read_bytes() == b"before"


def test_without_hard_links_the_file_is_made_in_place(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without hard links (FAT, some shares): O_EXCL in place, and a write that
    fails there removes the file it made."""
    def no_links(src: Any, dst: Any) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    assert create_private_once(tmp_path / "master.key", KEY)
    assert not create_private_once(tmp_path / "master.key", b"another key")
    assert (tmp_path / "master.key").read_bytes() == KEY
    assert _names(tmp_path) == ["master.key"]
    monkeypatch.setattr(files.os, "write", _no_space)
    with pytest.raises(OSError):
        create_private_once(tmp_path / "admin.token", KEY)
    assert _names(tmp_path) == ["master.key"]


def test_a_killed_start_s_temp_copy_is_removed_at_the_next(tmp_path: Path) -> None:
    """A start killed between writing its temp and removing it left a copy of the key: the
    next start removes it (a fresh one, another start's under way, stays)."""
    data = tmp_path / "hub"
    data.mkdir(mode=0o700)
    assert create_private_once(data / "master.key", KEY)
    stale = data / ".master.key.abc123.tmp"
    stale.write_bytes(KEY)
    old = stale.stat().st_mtime - files.STALE_TEMP_S - 5
    os.utime(stale, (old, old))
    fresh = data / ".master.key.def456.tmp"
    fresh.write_bytes(KEY)
    assert not create_private_once(data / "master.key", b"another key")
    assert _names(data) == [".master.key.def456.tmp", "master.key"]
