from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from teller_app.cache import (
    BranchCache,
    CacheKeyError,
    cache_path,
    prepare_cache_for,
    wipe_cache_file,
    wipe_profile,
)
from tests.cache.conftest import cust

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def _mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@posix_only
def test_owner_only_permissions(db_path: Path, key: bytes) -> None:
    old = os.umask(0o022)
    try:
        with BranchCache.open(db_path, key) as c:
            c.upsert_customers([cust("g1", "Бойко")])
            files = [Path(str(db_path) + s) for s in ("", "-wal", "-shm")]
            assert all(f.exists() for f in files)
            assert {_mode(f) for f in files} == {0o600}
            assert _mode(db_path.parent) == 0o700
    finally:
        os.umask(old)


def test_encrypted_file_has_no_plaintext(db_path: Path, key: bytes) -> None:
    with BranchCache.open(db_path, key) as c:
        c.upsert_customers([cust("g1", "Шевченко", "Тарас", login="taras@kobzar.ua")])
        blobs = b"".join(Path(str(db_path) + s).read_bytes() for s in ("", "-wal")
                         if Path(str(db_path) + s).exists())  # fmt: skip
    blobs += db_path.read_bytes()
    for needle in ("Шевченко", "Тарас", "taras@kobzar", "shevchenko", "SQLite format"):
        assert needle.encode() not in blobs


def test_wrong_key_raises_clear_error(db_path: Path, key: bytes) -> None:
    with BranchCache.open(db_path, key) as c:
        c.upsert_customers([cust("g1", "Бойко")])
    with pytest.raises(CacheKeyError):
        BranchCache.open(db_path, os.urandom(32))
    with pytest.raises(CacheKeyError):
        BranchCache.open(db_path, None)
    wipe_cache_file(db_path)  # what the caller does: wipe, reopen, full sync
    with BranchCache.open(db_path, os.urandom(32)) as c:
        assert c.stats().count == 0 and c.is_cold()


def test_key_must_be_32_bytes(db_path: Path) -> None:
    with pytest.raises(ValueError):
        BranchCache.open(db_path, b"short")


def test_prepare_removes_other_scopes_and_wipe(tmp_path: Path, key: bytes) -> None:
    data = tmp_path / "data"
    kyiv = prepare_cache_for(data, "demo", "kyiv-guid")
    with BranchCache.open(kyiv, key) as c:
        c.upsert_customers([cust("g1", "Бойко")])
    other_profile = prepare_cache_for(data, "other", "kyiv-guid")
    BranchCache.open(other_profile, key).close()
    lviv = prepare_cache_for(data, "demo", "lviv-guid")
    assert lviv == cache_path(data, "demo", "lviv-guid")
    assert not kyiv.exists() and not Path(str(kyiv) + "-wal").exists()
    assert other_profile.exists()  # other profiles untouched
    same = prepare_cache_for(data, "demo", "lviv-guid")
    assert same == lviv
    wipe_profile(data, "demo")
    assert not lviv.parent.exists()
    assert other_profile.exists()


def test_cache_path_is_sanitised(tmp_path: Path) -> None:
    p = cache_path(tmp_path, "../evil/../x", "head-office")
    assert tmp_path in p.parents and ".." not in p.parts
