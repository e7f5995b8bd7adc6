"""Migration 10 (cache/rekey_marks_iban.py): a cache written before it (й, ї sorted as и, і;
ʹ and ′ kept in keys and search words; IBANs indexed only whole and as BBAN) is re-keyed
and re-indexed once on open, on a real SQLCipher file."""

from __future__ import annotations

from pathlib import Path

import pytest

from teller_app.cache import BranchCache, rekey_marks_iban
from teller_app.cache.schema import MIGRATIONS
from teller_app.cache.text import collate, sort_key
from tests.cache.conftest import cust, guids

IBAN = "UA213223130000026007233566001"
IN_ORDER = ["Иванків", "Іваненко", "Іщенко", "Ївженко", "Їжак", "Йосипенко", "Кравець"]
_FOLDED = str.maketrans({collate("й"): collate("и"), collate("ї"): collate("і")})


def _old_key(surname: str, name: str, paternal: str) -> str:
    """The key the code before migration 10 made: й and ї folded into и and і."""
    return sort_key(surname, name, paternal).translate(_FOLDED)


def _as_before_migration_10(c: BranchCache) -> None:
    conn = c._conn
    conn.execute("BEGIN IMMEDIATE")
    for row_id, surname, name, paternal in conn.execute(
            "SELECT id, surname, name, paternal_name FROM customers").fetchall():
        conn.execute("UPDATE customers SET sort_key = ? WHERE id = ?",
                     (_old_key(surname, name, paternal), row_id))
    conn.execute("UPDATE customers SET sort_key = ? WHERE guid = 'prime'",
                 (collate("марʹян") + " " + collate("ігор") + " ",))
    conn.execute(
        "INSERT OR REPLACE INTO customers_fts(rowid, surname, name, paternal, login, phone, "
        "iban) SELECT id, 'марʹян marʹian', 'ігор ihor', '', 'марʹян', '', '' "
        "FROM customers WHERE guid = 'prime'")
    conn.execute("UPDATE customers SET sort_key = ? WHERE guid = 'prime2'",
                 (collate("мар′ян") + " " + collate("олег") + " ",))
    conn.execute(  # ′ split the name in two
        "INSERT OR REPLACE INTO customers_fts(rowid, surname, name, paternal, login, phone, "
        "iban) SELECT id, 'мар mar ян ian', 'олег oleh', '', '', '', '' "
        "FROM customers WHERE guid = 'prime2'")
    conn.execute(
        "INSERT OR REPLACE INTO customers_fts(rowid, surname, name, paternal, login, phone, "
        "iban) SELECT id, 'петренко petrenko', 'ольга olha', '', '', '', ? "
        "FROM customers WHERE guid = 'owner'",
        (f"{IBAN.lower()} {IBAN[4:].lower()}",))
    conn.execute("PRAGMA user_version = 9")
    conn.execute("COMMIT")


def _fill(c: BranchCache) -> list[str]:
    # stored in reverse, so the order found comes from the key, not from insertion
    c.upsert_customers([cust(s, s, "Петро") for s in reversed(IN_ORDER)] + [
        cust("prime", "Марʹян", "Ігор", login="марʹян"),
        cust("prime2", "Мар′ян", "Олег"),
        cust("owner", "Петренко", "Ольга"),
    ])
    c.upsert_accounts("owner", [{"guid": "a1", "iban": IBAN, "assets": []}])
    return [*IN_ORDER, "prime", "prime2", "owner"]


def _check_upgraded(c: BranchCache, want: list[str]) -> None:
    assert c._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert guids(c.customers_page(0, 100)) == want
    assert guids(c.search("Й", 0, 100))[:2] == ["Иванків", "Йосипенко"]  # tier 0: и, then й
    assert guids(c.search("Ї", 0, 100))[:4] == ["Іваненко", "Іщенко", "Ївженко", "Їжак"]
    for q in ("Мар'ян", "Марʹян", "Мар′ян", "Marian"):
        assert guids(c.search(q, 0, 100)) == ["prime", "prime2"], q
    for q in ("26007233566001", "6600 1", "ua21 3223"):
        assert guids(c.search(q, 0, 100)) == ["owner"], q
    assert c.integrity_check() == "ok"
    c._conn.execute("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')")


def test_an_old_cache_is_rekeyed_and_reindexed_once(db_path: Path, key: bytes) -> None:
    with BranchCache.open(db_path, key) as c:
        want = _fill(c)
        _as_before_migration_10(c)
        # what the audit found
        assert guids(c.customers_page(0, 100))[:7] != IN_ORDER
        assert c.search("Мар'ян", 0, 100) == [] and c.search("26007233566001", 0, 100) == []
    with BranchCache.open(db_path, key) as c:  # 9 -> 10
        _check_upgraded(c, want)


def test_many_keys_drop_and_rebuild_the_indexes(db_path: Path, key: bytes,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Past IN_PLACE_MAX changed keys the sort-key indexes are dropped and built again: the
    same result, and every index is there afterwards."""
    with BranchCache.open(db_path, key) as c:
        want = _fill(c)
        _as_before_migration_10(c)
        indexes = {r[0] for r in c._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
    monkeypatch.setattr(rekey_marks_iban, "IN_PLACE_MAX", 2)
    dropped: list[list[str]] = []
    real_drop = rekey_marks_iban.drop_sort_indexes
    monkeypatch.setattr(rekey_marks_iban, "drop_sort_indexes",
                        lambda conn: dropped.append(real_drop(conn)) or dropped[-1])
    with BranchCache.open(db_path, key) as c:
        assert len(dropped) == 1 and len(dropped[0]) == 6
        assert {r[0] for r in c._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")} == indexes
        _check_upgraded(c, want)


def test_few_keys_are_written_in_place(db_path: Path, key: bytes,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the names with й, ї or ʹ are looked at, only changed keys written; the indexes
    stay (a cache migration 9 already keyed with this code changes nothing)."""
    from teller_app.cache.rekey_marks_iban import _rekey_marked

    def no_drop(conn: object) -> list[str]:
        raise AssertionError("indexes dropped for a few keys")

    monkeypatch.setattr(rekey_marks_iban, "drop_sort_indexes", no_drop)
    with BranchCache.open(db_path, key) as c:
        _fill(c)
        c.upsert_customers([cust(f"n{i}", "Коваленко", "Петро") for i in range(50)])
        conn = c._conn
        conn.execute("BEGIN IMMEDIATE")
        assert _rekey_marked(conn) == 0  # every key already as sort_key makes it
        conn.execute("UPDATE customers SET sort_key = ? WHERE guid = 'Їжак'",
                     (_old_key("Їжак", "Петро", ""),))
        before = conn.total_changes
        assert _rekey_marked(conn) == 1
        assert conn.total_changes - before == 1
        conn.execute("ROLLBACK")
