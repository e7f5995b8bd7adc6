from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from teller_app.cache import BranchCache, SyncState
from teller_app.cache.schema import MIGRATIONS
from tests.cache.conftest import cust


def test_schema_version_and_wal(cache: BranchCache, db_path: Path) -> None:
    assert cache._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert cache._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cache.integrity_check() == "ok"


def test_reopen_keeps_data_and_does_not_remigrate(db_path: Path, key: bytes) -> None:
    with BranchCache.open(db_path, key) as c:
        c.upsert_customers([cust("g1", "Бойко")])
    with BranchCache.open(db_path, key) as c:
        assert c.stats().count == 1
        assert [r.guid for r in c.search("бойко")] == ["g1"]


def test_migration_from_older_version(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    with BranchCache.open(path, None) as c:
        c._conn.execute("PRAGMA user_version = 0")
        c._conn.execute("DROP TABLE customers_fts")
        for t in ("customers", "accounts", "sync_state"):
            c._conn.execute(f"DROP TABLE {t}")
    with BranchCache.open(path, None) as c:  # migrates 0 -> current
        assert c._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        c.upsert_customers([cust("g1", "Бойко")])
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_migration_4_adds_reconciled_at(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with BranchCache.open(path, None) as c:
        c.set_sync_state(SyncState(cursor="2024-01-01T00:00:00.000000Z", full_sync_done=True))
        c._conn.execute("ALTER TABLE sync_state DROP COLUMN reconciled_at")
        c._conn.execute("PRAGMA user_version = 3")
    with BranchCache.open(path, None) as c:  # 3 -> 4 keeps the state, nothing reconciled yet
        state = c.sync_state()
        assert state.full_sync_done and state.cursor and state.reconciled_at is None
        c.set_sync_state(replace(state, reconciled_at=123.5))
        assert c.sync_state().reconciled_at == 123.5


def test_upsert_no_duplicates_and_updates_index(cache: BranchCache) -> None:
    cache.upsert_customers([cust("g1", "Бойко", updated_at="2024-01-01T00:00:00Z")])
    cache.upsert_customers([cust("g1", "Мороз", updated_at="2024-01-02T00:00:00Z")])
    assert cache.stats().count == 1
    assert cache.search("бойко") == []
    assert [r.guid for r in cache.search("мороз")] == ["g1"]


def test_older_copy_does_not_win(cache: BranchCache) -> None:
    cache.upsert_customers([cust("g1", "Новий", updated_at="2024-01-02T00:00:00Z")])
    cache.upsert_customers([cust("g1", "Старий", updated_at="2024-01-01T00:00:00Z")])
    row = cache.get_customer("g1")
    assert row is not None and row.surname == "Новий"
    assert cache.search("старий") == []


def test_model_objects_accepted(cache: BranchCache) -> None:
    from teller_app.platform import Customer

    c = Customer.model_validate(
        {"wallet_user_guid": "g9", "surname": "Коваль", "balance_allowed": 1000,
         "branch_guid": "", "is_disabled": True, "updated_at": "2023-07-14T12:27:15.486653Z"}
    )  # fmt: skip
    cache.upsert_customers([c])
    row = cache.get_customer("g9")
    assert row is not None and row.is_disabled and row.branch_guid == ""
    assert row.updated_at == "2023-07-14T12:27:15.486653Z"
    assert str(row.balance_allowed) in ("1000", "1000.00")


def test_store_page_is_atomic_with_state(cache: BranchCache) -> None:
    state = SyncState(cursor="2024-01-01T00:00:00.000000Z", tie_skip=1)
    cache.store_page([cust("g1", "Бойко")], state)
    assert cache.sync_state().cursor == state.cursor
    with pytest.raises(ValueError):
        cache.store_page([cust("g2", "Мороз"), {"surname": "no guid"}], SyncState(cursor="x"))
    assert cache.stats().count == 1
    assert cache.sync_state().cursor == state.cursor
    assert cache.integrity_check() == "ok"


def test_delete_customers(cache: BranchCache) -> None:
    cache.upsert_customers([cust("g1", "Бойко"), cust("g2", "Мороз")])
    assert cache.delete_customers(["g1", "zz"]) == 1
    assert cache.search("бойко") == []
    assert cache.stats().count == 1
