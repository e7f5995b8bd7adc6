"""Migration 8 (cache/name_rekey.py): a cache written before it (sort keys kept leading
spaces and quotes; "‘" split a name in two in the search index) is re-keyed and re-indexed
once on open, on a real SQLCipher file."""

from __future__ import annotations

from pathlib import Path

from teller_app.cache import BranchCache
from teller_app.cache.schema import MIGRATIONS
from tests.cache.conftest import cust

IBAN = "UA213223130000026007233566001"


def guids(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [r.guid for r in rows]


def _as_before_migration_8(c: BranchCache) -> None:
    """What the code before migration 8 stored for these rows."""
    conn = c._conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE customers SET sort_key = '  іваненко петро ' WHERE guid = 'c1'")
    conn.execute("UPDATE customers SET sort_key = 'мар‘яненко оксана ' WHERE guid = 'c2'")
    conn.execute(
        "INSERT OR REPLACE INTO customers_fts(rowid, surname, name, paternal, login, phone, "
        "iban) SELECT id, 'мар mar яненко yanenko', 'оксана oksana', '', '', '', ? "
        "FROM customers WHERE guid = 'c2'",
        (f"{IBAN.lower()} {IBAN[4:].lower()}",),
    )
    conn.execute("PRAGMA user_version = 7")
    conn.execute("COMMIT")


def test_old_cache_is_rekeyed_and_reindexed_once(db_path: Path, key: bytes) -> None:
    with BranchCache.open(db_path, key) as c:
        c.upsert_customers([
            cust("c1", "  Іваненко", "Петро"),
            cust("c2", "Мар‘яненко", "Оксана"),
            cust("c3", "Іваненко", "Андрій"),
            cust("c4", "Абрамчук", "Ірина"),
        ])  # fmt: skip
        c.upsert_accounts("c2", [{"guid": "a1", "iban": IBAN, "assets": []}])
        _as_before_migration_8(c)
        # the state the audit found: one-word results lose c1, "Мар'яненко" finds nothing
        assert guids(c.search("Іваненко")) == ["c3"]
        assert c.search("Мар'яненко") == []
    with BranchCache.open(db_path, key) as c:  # 7 -> 8
        assert c._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert guids(c.search("Іваненко")) == ["c3", "c1"]
        assert c.count("Іваненко").n == 2
        # Ukrainian order (migration 9): І before М
        assert guids(c.customers_page()) == ["c4", "c3", "c1", "c2"]
        for q in ("Мар'яненко", "Мар‘яненко", "Marianenko", "маряненко оксана"):
            assert guids(c.search(q)) == ["c2"], q
        assert guids(c.search("UA21 3223")) == ["c2"]  # the rewritten row kept its IBAN
        assert c.search("яненко") == []  # the old split tokens are gone
        assert c.integrity_check() == "ok"
        c._conn.execute("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')")
