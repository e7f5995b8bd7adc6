"""Migration 8 (cache/name_rekey.py): a cache written before it (sort keys kept leading
spaces and quotes; "‘" split a name in two in the search index) is re-keyed and re-indexed
once on open, on a real SQLCipher file."""

from __future__ import annotations

from pathlib import Path

from teller_app.cache import BranchCache
from teller_app.cache.schema import MIGRATIONS
from tests.cache.conftest import cust, guids

IBAN = "UA213223130000026007233566001"


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


def test_migration_8_writes_only_the_rows_it_fixes(db_path: Path, key: bytes) -> None:
    """Collation is migration 9's: migration 8 on a cache from before both keeps writing only
    the few rows whose names it re-keys (a rewrite of every key there, with the indexes in
    place, took minutes at 1 000 000 rows)."""
    from teller_app.cache.name_rekey import _key_before_collation, migration_name_rekey

    with BranchCache.open(db_path, key) as c:
        c.upsert_customers([cust(f"k{i}", s, "Петро") for i, s in enumerate(
            ["Іваненко", "Яковенко", "Ґудзь", "  Євтушенко", "Adams"])])
        conn = c._conn
        conn.execute("BEGIN IMMEDIATE")
        for row_id, surname, name, paternal in conn.execute(
                "SELECT id, surname, name, paternal_name FROM customers").fetchall():
            conn.execute("UPDATE customers SET sort_key = ? WHERE id = ?",
                         (_key_before_collation(surname, name, paternal), row_id))
        conn.execute("UPDATE customers SET sort_key = '  євтушенко петро ' WHERE guid = 'k3'")
        before = conn.total_changes
        migration_name_rekey(conn)
        written = conn.total_changes - before
        keys = dict(conn.execute("SELECT guid, sort_key FROM customers").fetchall())
        conn.execute("ROLLBACK")
    assert keys["k3"] == "євтушенко петро "  # fixed, not collated yet
    assert keys["k0"] == "іваненко петро "
    # one key written and its search row rewritten (FTS5's shadow-table writes: 5 here);
    # collating every key here wrote 4 keys and 4 search rows
    assert written <= 6, written
