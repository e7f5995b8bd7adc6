"""Head office filters the cache by branch; approval marker customers are never stored."""

from __future__ import annotations

from pathlib import Path

from teller_app.cache import BranchCache
from teller_app.markers import APPROVAL_LOCK_LOGIN_PREFIX
from tests.cache.conftest import cust

KYIV, LVIV = "branch-kyiv", "branch-lviv"


def _fill(cache: BranchCache) -> None:
    cache.upsert_customers([
        cust("g1", "Шевченко", "Тарас", branch_guid=KYIV, phone_number="+380671110001"),
        cust("g2", "Шевченко", "Олена", branch_guid=LVIV, phone_number="+380671110002"),
        cust("g3", "Шевчук", "Іван", branch_guid=LVIV, login="ivan.s"),
        cust("g4", "Коваль", "Петро", branch_guid=KYIV),
        cust("m1", "approval-lock", "", login=APPROVAL_LOCK_LOGIN_PREFIX + "a" * 32,
             branch_guid=KYIV, status="decided:xyz"),
    ])


def test_branch_filter_on_search_count_and_pages(cache: BranchCache) -> None:
    _fill(cache)
    assert {r.guid for r in cache.search("шевч")} == {"g1", "g2", "g3"}
    assert {r.guid for r in cache.search("шевч", branch_guid=LVIV)} == {"g2", "g3"}
    assert [r.guid for r in cache.search("shevchenko", branch_guid=KYIV)] == ["g1"]
    assert [r.guid for r in cache.search("0671110002", branch_guid=LVIV)] == ["g2"]
    assert cache.search("0671110002", branch_guid=KYIV) == []
    assert [r.guid for r in cache.search("шевч тарас", branch_guid=KYIV)] == ["g1"]
    assert [r.guid for r in cache.search("ivan", branch_guid=LVIV)] == ["g3"]
    assert cache.count("шевч", branch_guid=LVIV).n == 2
    assert cache.count("", branch_guid=KYIV).n == 2
    assert [r.guid for r in cache.customers_page(branch_guid=KYIV)] == ["g4", "g1"]
    assert [r.guid for r in cache.search("", branch_guid=LVIV, offset=1, limit=1)] == ["g3"]
    assert cache.search("шевч", branch_guid="nowhere") == []


def test_approval_markers_are_not_stored_or_found(cache: BranchCache) -> None:
    _fill(cache)
    assert cache.get_customer("m1") is None
    assert cache.count("").n == 4 and cache.stats().count == 4
    assert all(not r.login.startswith(APPROVAL_LOCK_LOGIN_PREFIX)
               for r in cache.customers_page(limit=100))
    assert cache.search("approval") == []


def test_migration_drops_markers_from_an_older_cache(db_path: Path, key: bytes) -> None:
    cache = BranchCache.open(db_path, key)
    conn = cache._conn
    conn.execute("PRAGMA user_version = 1")  # back to the schema of migration 1
    conn.execute("DROP INDEX customers_branch_sort")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(sync_state)")]
    if "read_at" in columns:  # added by migration 3
        conn.execute("ALTER TABLE sync_state DROP COLUMN read_at")
    if "reconciled_at" in columns:  # added by migration 4
        conn.execute("ALTER TABLE sync_state DROP COLUMN reconciled_at")
    conn.execute("DROP TABLE IF EXISTS fts_pending")  # migration 3
    conn.execute("INSERT INTO customers(guid, login, surname) VALUES ('m9', ?, 'approval-lock')",
                 (APPROVAL_LOCK_LOGIN_PREFIX + "b" * 32,))
    cache.close()
    reopened = BranchCache.open(db_path, key)
    try:
        assert reopened.get_customer("m9") is None
        assert int(reopened._conn.execute("PRAGMA user_version").fetchone()[0]) >= 2
    finally:
        reopened.close()
