"""Open errors are classified on real SQLCipher files: a wrong key is CacheKeyError (the only
case the caller wipes), a locked database CacheLockedError, a read-only or full disk
CacheIOError — and the file is still there afterwards."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from fs_faults import fill, make_read_only, small_fs

from teller_app.cache import BranchCache, CacheIOError, CacheKeyError, CacheLockedError
from teller_app.cache.connect import connect


def _make(path: Path, key: bytes) -> None:
    cache = BranchCache.open(path, key)
    cache.upsert_customers([{"wallet_user_guid": "00000000-0000-4000-8000-000000000001",
                             "login": "380501112233", "name": "Taras", "surname": "Shevchenko",
                             "updated_at": "2026-01-01T00:00:00Z"}])
    cache.close()


def test_wrong_key_is_a_key_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    _make(path, os.urandom(32))
    with pytest.raises(CacheKeyError):
        BranchCache.open(path, os.urandom(32))
    assert path.stat().st_size > 0  # classification only: the caller decides to wipe


def test_a_locked_database_is_not_a_key_error(tmp_path: Path) -> None:
    path, key = tmp_path / "c.db", os.urandom(32)
    _make(path, key)
    holder = connect(path, key, any_thread=True)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM sync_state WHERE 0")
    try:
        with pytest.raises(CacheLockedError):
            BranchCache.open(path, key, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    reopened = BranchCache.open(path, key)  # released: opens with the data intact
    assert reopened.stats().count == 1
    reopened.close()


def test_locked_waits_for_a_short_lock(tmp_path: Path) -> None:
    path, key = tmp_path / "c.db", os.urandom(32)
    _make(path, key)
    holder = connect(path, key, any_thread=True)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM sync_state WHERE 0")
    opened = threading.Event()
    result: list[object] = []

    def open_it() -> None:
        try:
            cache = BranchCache.open(path, key, busy_timeout=30)
            result.append(cache.stats().count)
            cache.close()
        except Exception as exc:  # pragma: no cover - reported below
            result.append(exc)
        opened.set()

    thread = threading.Thread(target=open_it)
    thread.start()
    assert not opened.wait(0.3)  # still waiting on the lock (busy timeout), not failed
    holder.execute("ROLLBACK")
    holder.close()
    assert opened.wait(30)
    thread.join()
    assert result == [1]


def test_full_disk_is_an_io_error_and_keeps_the_file(tmp_path: Path) -> None:
    key = os.urandom(32)
    with small_fs(tmp_path) as fs:
        existing = fs / "kept.db"
        _make(existing, key)
        size = existing.stat().st_size
        fill(fs)
        with pytest.raises(CacheIOError) as info:
            BranchCache.open(fs / "new.db", key)
        assert info.value.kind == "disk_full"
        with pytest.raises(CacheIOError) as info:
            BranchCache.open(existing, key)
        assert info.value.kind == "disk_full"
        assert existing.stat().st_size == size


def test_read_only_disk_is_an_io_error_and_keeps_the_file(tmp_path: Path) -> None:
    key = os.urandom(32)
    with small_fs(tmp_path) as fs:
        existing = fs / "kept.db"
        _make(existing, key)
        make_read_only(fs)
        with pytest.raises(CacheIOError) as info:
            BranchCache.open(fs / "new.db", key)
        assert info.value.kind == "read_only"
        with pytest.raises(CacheIOError) as info:  # WAL needs its -shm file: cannot open
            BranchCache.open(existing, key)
        assert info.value.kind == "read_only"
        assert existing.exists()
