from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

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


def _all_rows(c: BranchCache) -> list[tuple[object, ...]]:
    return [tuple(r) for r in c._conn.execute(
        "SELECT guid, login, name, surname, kyc_level, is_disabled, status, updated_at, "
        "fetched_at, sort_key, extra FROM customers ORDER BY guid")]


@pytest.mark.parametrize("changed_only_max", [0, 2000])
def test_small_upsert_writes_only_changed_columns_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed_only_max: int
) -> None:
    """An incremental page (few rows) is written column by column (issue 12: fewer dirty
    index pages); the outcome is exactly the bulk upsert's: new rows inserted, changed ones
    updated, older copies ignored, fetched_at refreshed, search index rebuilt."""
    from teller_app.cache import store_write as store  # where the limits are read

    first = [cust(f"g{i}", "Бойко", kyc_level=1, updated_at="2024-01-02T00:00:00Z")
             for i in range(6)]
    later = [
        cust("g0", "Бойко", kyc_level=2, updated_at="2024-01-03T00:00:00Z"),  # KYC only
        cust("g1", "Мороз", kyc_level=1, updated_at="2024-01-03T00:00:00Z"),  # surname
        cust("g2", "Старий", kyc_level=0, updated_at="2024-01-01T00:00:00Z"),  # older copy
        cust("g3", "Бойко", kyc_level=1, updated_at="2024-01-02T00:00:00Z"),  # same copy
        cust("g9", "Новий", kyc_level=1, updated_at="2024-01-03T00:00:00Z"),  # new
    ]
    results = []
    for limit in (0, changed_only_max):
        monkeypatch.setattr(store, "CHANGED_ONLY_MAX", limit)
        with BranchCache.open(tmp_path / f"c{limit}-{changed_only_max}.db", None) as c:
            c.upsert_customers(first, fetched_at=100.0)
            c.upsert_customers(later, fetched_at=200.0)
            results.append(_all_rows(c))
            assert [r.guid for r in c.search("мороз")] == ["g1"]
            assert {r.guid for r in c.search("бойко")} == {"g0", "g2", "g3", "g4", "g5"}
            assert c.search("старий") == [] and [r.guid for r in c.search("новий")] == ["g9"]
            g0 = c.get_customer("g0")
            assert g0 is not None and g0.kyc_level == 2 and g0.fetched_at == 200.0
            g2 = c.get_customer("g2")
            assert g2 is not None and g2.kyc_level == 1 and g2.fetched_at == 100.0
    assert results[0] == results[1]


def test_full_sync_checkpoints_a_big_wal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full sync does not checkpoint after every batch, but the WAL never grows past
    BULK_WAL_MAX (issue 12: 10 GB at 1 000 000 customers); the data stays whole."""
    from teller_app.cache import store_write as store  # where the limits are read

    monkeypatch.setattr(store, "BULK_WAL_MAX", 256 * 1024)
    path = tmp_path / "c.db"
    wal = path.with_name(path.name + "-wal")
    biggest = 0
    with BranchCache.open(path, bytes(32)) as c:
        for page in range(40):
            rows = [cust(f"g{page:02d}-{i:03d}", f"Прізвище{page}", "Ім'я", login=f"l{page}.{i}",
                         updated_at=f"2024-01-01T00:{page:02d}:{i % 60:02d}.{i:06d}Z")
                    for i in range(200)]
            last = page == 39
            c.store_page(rows, SyncState(cursor=rows[-1]["updated_at"], full_sync_done=last))
            biggest = max(biggest, wal.stat().st_size)
        assert c.stats().count == 40 * 200
        assert len(c.search("прізвище7", 0, 1000)) == 200
        assert c.integrity_check() == "ok"
    assert biggest < 256 * 1024 + 4 * 2**20  # the limit plus one commit's pages


def test_close_checkpoints_before_the_connection_closes(db_path: Path, key: bytes) -> None:
    """The last connection's close() copies the WAL into the file, and sqlcipher3 holds the
    GIL all the while (a sync cut mid-way: the UI frozen ~0.4 s). close() checkpoints first,
    with execute(), which releases it: the connection's own close finds nothing to copy."""
    wal = db_path.with_name(db_path.name + "-wal")
    at_close: list[int] = []

    class ConnectionSpy:
        def __init__(self, conn: Any) -> None:
            self._conn = conn

        def __getattr__(self, name: str) -> Any:
            return getattr(self._conn, name)

        def close(self) -> None:
            at_close.append(wal.stat().st_size)
            self._conn.close()

    cache = BranchCache.open(db_path, key)
    cache.upsert_customers([cust(f"g{i}", "Шевченко") for i in range(300)])
    assert wal.stat().st_size > 0
    cache._conn = ConnectionSpy(cache._conn)
    cache.close()
    assert at_close == [0]


def test_the_reconcile_pass_carries_a_branch_rename(cache: BranchCache) -> None:
    """A rename on the platform leaves the customers' updated_at alone."""
    cache.upsert_customers([cust("g1", "Шевченко", branch_guid="b1", branch_name="Київ"),
                            cust("g2", "Коваль", branch_guid="b1", branch_name="Київ")])
    seen = cache.store_reconcile_page([
        cust("g1", "Шевченко", branch_guid="b1", branch_name="Київ-Центр"),
        cust("g2", "Коваль", branch_guid="b1")])  # a dialect without branch_name: kept
    assert seen == ["g1", "g2"]
    g1, g2 = cache.get_customer("g1"), cache.get_customer("g2")
    assert g1 is not None and g1.branch_name == "Київ-Центр"
    assert g2 is not None and g2.branch_name == "Київ"
