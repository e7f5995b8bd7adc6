"""A desk rolled back to an older Teller finds a cache a newer one made: its schema is refused
as its own error (still a ``CacheError``), and the real open path wipes the file and opens it
empty for a full sync, as for a lost key, instead of refusing it at every sign-in. Real
SQLCipher files through the real CacheWorker."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from keyring.backends import fail

from teller_app.cache import BranchCache, CacheError, CacheSchemaNewer
from teller_app.cache.connect import connect
from teller_app.cache.schema import MIGRATIONS
from teller_app.core.cache_open import CacheScope, cache_key, open_scoped_cache
from teller_app.core.cache_worker import CacheWorker
from teller_app.secrets import SecretStore

ROW = {"wallet_user_guid": "00000000-0000-4000-8000-000000000001", "login": "380501112233",
       "name": "Taras", "surname": "Shevchenko", "updated_at": "2026-01-01T00:00:00Z"}
LATER = {**ROW, "wallet_user_guid": "00000000-0000-4000-8000-000000000002",
         "surname": "Franko", "name": "Ivan"}
TELLER = CacheScope("desk", "emp-teller", "branch-kyiv")


def _user_version(path: Path, key: bytes) -> int:
    conn = connect(path, key)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _made_by_a_newer_teller(path: Path, key: bytes) -> None:
    """What a newer Teller leaves: one migration more than this code knows."""
    conn = connect(path, key)
    try:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        conn.commit()
    finally:
        conn.close()


def test_a_newer_teller_s_cache_is_wiped_and_opens_empty_for_a_full_sync(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        store = SecretStore("desk", backend=fail.Keyring())  # keys kept in memory
        worker = CacheWorker()
        try:
            opened = await open_scoped_cache(worker, tmp_path, TELLER, store)
            await worker.call(lambda: worker.cache.upsert_customers([ROW]))
            await worker.call(lambda: worker.cache.mark_synced(1.0))
        finally:
            await worker.close()
        key = await cache_key(store, TELLER.key_name)
        _made_by_a_newer_teller(opened.path, key)

        # the store refuses it with its own error, which older handlers still catch
        with pytest.raises(CacheSchemaNewer) as refused:
            BranchCache.open(opened.path, key)
        assert isinstance(refused.value, CacheError)
        assert (refused.value.found, refused.value.known) == (len(MIGRATIONS) + 1,
                                                               len(MIGRATIONS))

        worker = CacheWorker()
        try:
            with caplog.at_level("WARNING", logger="teller_app.core.cache_open"):
                again = await open_scoped_cache(worker, tmp_path, TELLER, store)
            assert again.wiped and again.newer_schema and again.path == opened.path
            assert await worker.is_cold()  # a full sync follows
            assert (await worker.stats()).count == 0
            await worker.call(lambda: worker.cache.upsert_customers([LATER]))  # usable
            found = await worker.call(lambda: worker.cache.search("Franko"))
            assert [r.surname for r in found] == ["Franko"]
        finally:
            await worker.close()
        assert "newer Teller" in caplog.text
        assert _user_version(opened.path, key) == len(MIGRATIONS)  # this Teller's schema now

        worker = CacheWorker()  # and the next sign-in keeps it
        try:
            kept = await open_scoped_cache(worker, tmp_path, TELLER, store)
            assert not kept.wiped and not kept.newer_schema
            assert (await worker.stats()).count == 1
        finally:
            await worker.close()

    asyncio.run(scenario())
