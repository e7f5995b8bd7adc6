"""A damaged page of a real SQLCipher file, found after the open (page 1 is sound): the first
statement that reads it fails "malformed", every later one with a bare MemoryError (the
codec's sticky error). ``guarded`` (how the cache worker runs every call) names both
``CacheCorruptError`` and marks the cache damaged; ``close()`` then removes the file and
``rebuilt()`` opens it again empty."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlcipher3

from teller_app.cache import BranchCache, CacheCorruptError, CacheError, CacheKeyError
from teller_app.cache.failures import classify_failure
from teller_app.cache.rows import SyncState
from teller_app.cache.store import classify_error
from tests.cache.conftest import cust

SURNAMES = ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник"]


def synced(path: Path, key: bytes) -> int:
    """A first full sync of 600 customers (a bulk load), closed; the customers' root page."""
    rows = [cust(f"g{i:04d}", SURNAMES[i % len(SURNAMES)], "Іван",
                 updated_at=f"2024-05-01T10:{i // 60 % 60:02d}:{i % 60:02d}.000001Z")
            for i in range(600)]
    with BranchCache.open(path, key) as cache:
        cache.store_page(rows[:300], SyncState(cursor="a"))
        cache.store_page(rows[300:], SyncState(cursor="b", full_sync_done=True))
        return int(cache._conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'customers'").fetchone()[0])


def damage(path: Path, page: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * 4096 + 100)
        fh.write(os.urandom(64))


def test_every_failure_of_a_damaged_page_is_cache_corrupt(db_path: Path, key: bytes) -> None:
    damage(db_path, synced(db_path, key))
    cache = BranchCache.open(db_path, key)  # opens: page 1 is sound
    assert not cache.is_cold()
    raw: list[BaseException] = []
    for surname in SURNAMES[:3]:  # the driver's own errors, as they come
        try:
            cache.search(surname)
        except (sqlcipher3.DatabaseError, MemoryError) as exc:
            raw.append(exc)
    assert isinstance(raw[0], sqlcipher3.DatabaseError) and "malformed" in str(raw[0])
    assert all(isinstance(e, MemoryError) and not str(e) for e in raw[1:])  # no text at all
    assert isinstance(classify_failure(db_path, raw[0]), CacheCorruptError)
    assert all(isinstance(classify_failure(db_path, e, after_damage=True), CacheCorruptError)
               for e in raw[1:])
    cache._conn.close()


def _short_of_memory(cache: BranchCache) -> None:
    raise MemoryError  # what SQLite short of memory raises (SQLITE_NOMEM): no text


def test_memory_running_short_does_not_cost_a_sound_cache(db_path: Path, key: bytes) -> None:
    synced(db_path, key)
    cache = BranchCache.open(db_path, key)
    with pytest.raises(CacheError) as caught:
        cache.guarded(_short_of_memory)
    assert not isinstance(caught.value, CacheCorruptError) and not cache.damaged
    assert cache.guarded(BranchCache.stats).count == 600  # the next call works
    cache.close()
    assert db_path.exists()  # kept: nothing to rebuild


def test_a_damaged_cache_answers_nothing_more_and_is_rebuilt_empty(db_path: Path,
                                                                   key: bytes) -> None:
    damage(db_path, synced(db_path, key))
    cache = BranchCache.open(db_path, key)
    with pytest.raises(CacheCorruptError):
        cache.guarded(BranchCache.search, "Шевченко")
    assert cache.damaged
    with pytest.raises(CacheCorruptError):  # at once, whatever the page
        cache.guarded(BranchCache.sync_state)
    fresh = cache.rebuilt()
    try:
        assert fresh.is_cold() and fresh.stats().count == 0 and not fresh.damaged
        assert fresh.guarded(BranchCache.search, "Шевченко") == []
        assert fresh.integrity_check() == "ok"
    finally:
        fresh.close()


def test_closing_a_damaged_cache_removes_it(db_path: Path, key: bytes) -> None:
    damage(db_path, synced(db_path, key))
    cache = BranchCache.open(db_path, key)
    with pytest.raises(CacheCorruptError):
        cache.guarded(BranchCache.search, "Шевченко")
    cache.close()
    assert not db_path.exists()
    with BranchCache.open(db_path, key) as again:  # the next start: empty, cold
        assert again.is_cold() and again.stats().count == 0


def test_a_sound_cache_s_own_errors_pass_through_guarded(cache: BranchCache) -> None:
    def broken(c: BranchCache) -> None:
        c._conn.execute("SELECT no_such_column FROM customers")

    with pytest.raises(sqlcipher3.OperationalError):
        cache.guarded(broken)
    assert not cache.damaged
    assert cache.guarded(BranchCache.stats).count == 0


def test_damage_found_while_opening_is_still_a_key_error_to_wipe(tmp_path: Path) -> None:
    """The opener wipes on ``CacheKeyError``: a damaged file found there is one."""
    exc = sqlcipher3.DatabaseError("database disk image is malformed")
    assert isinstance(classify_error(tmp_path / "c.db", exc), CacheCorruptError)
    short = classify_error(tmp_path / "c.db", MemoryError())  # memory short: nothing wiped
    assert isinstance(short, CacheError) and not isinstance(short, CacheKeyError)
