"""Schema and migrations. ``PRAGMA user_version`` = number of migrations applied; each
migration runs in its own transaction, in order. Add new ones at the end, never edit old ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teller_app.cache.bulk_load import migration_cache_meta
from teller_app.cache.errors import CacheError
from teller_app.cache.history import migration_history_copies
from teller_app.cache.name_rekey import (
    migration_collation_rekey,
    migration_name_rekey,
    migration_nfd_names,
)
from teller_app.cache.rekey_marks_iban import migration_marks_iban_rekey
from teller_app.cache.search import RANK

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)


def _m1_initial(conn: Connection) -> None:
    conn.execute(
        """CREATE TABLE customers(
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            login TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            surname TEXT NOT NULL DEFAULT '',
            paternal_name TEXT NOT NULL DEFAULT '',
            phone_number TEXT NOT NULL DEFAULT '',
            kyc_level INTEGER NOT NULL DEFAULT 0,
            is_disabled INTEGER NOT NULL DEFAULT 0,
            balance_allowed TEXT NOT NULL DEFAULT '0',
            segment TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT '',
            branch_guid TEXT NOT NULL DEFAULT '',
            branch_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL DEFAULT '',
            fetched_at REAL NOT NULL DEFAULT 0,
            sort_key TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    conn.execute("CREATE INDEX customers_sort ON customers(sort_key, id)")
    conn.execute("CREATE INDEX customers_updated ON customers(updated_at)")
    conn.execute(
        """CREATE TABLE accounts(
            guid TEXT PRIMARY KEY,
            customer_guid TEXT NOT NULL,
            iban TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            type TEXT NOT NULL DEFAULT '',
            assets TEXT NOT NULL DEFAULT '[]',
            fetched_at REAL NOT NULL DEFAULT 0
        )"""
    )
    conn.execute("CREATE INDEX accounts_customer ON accounts(customer_guid)")
    conn.execute(
        """CREATE TABLE sync_state(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            cursor TEXT,
            tie_skip INTEGER NOT NULL DEFAULT 0,
            full_sync_done INTEGER NOT NULL DEFAULT 0,
            full_sync_started_at REAL,
            last_sync_at REAL
        )"""
    )
    conn.execute("INSERT INTO sync_state(id) VALUES (1)")
    # Contentless FTS5 (the text lives in `customers`); rowid = customers.id.
    conn.execute(
        """CREATE VIRTUAL TABLE customers_fts USING fts5(
            surname, name, paternal, login, phone, iban,
            content='', contentless_delete=1,
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
        )"""
    )
    conn.execute("INSERT INTO customers_fts(customers_fts, rank) VALUES ('rank', ?)", (RANK,))


def _m2_branch_index_and_hidden(conn: Connection) -> None:
    """Head office filters by branch (sorted). (It once also dropped "approval marker"
    customers; four-eyes requests live on the hub now and no such customers exist.)"""
    conn.execute("CREATE INDEX customers_branch_sort ON customers(branch_guid, sort_key, id)")


def _m3_sync_read_at_fts_pending(conn: Connection) -> None:
    """The platform's clock when the last sync began reading (incremental sync start), and
    the customers a full sync stored but has not indexed for search yet (batched)."""
    conn.execute("ALTER TABLE sync_state ADD COLUMN read_at TEXT")
    conn.execute("CREATE TABLE IF NOT EXISTS fts_pending(id INTEGER PRIMARY KEY)")


def _m4_sync_reconciled_at(conn: Connection) -> None:
    """When the last completed reconcile pass began (``core.sync``: customers that left the
    scope are deleted by a periodic full re-read, throttled on this)."""
    conn.execute("ALTER TABLE sync_state ADD COLUMN reconciled_at REAL")


def _m5_filter_indexes(conn: Connection) -> None:
    """The filter bar filters and sorts the whole result in SQL (``cache/filters.py``)."""
    for name, columns in (("status", "status"), ("segment", "segment, sort_key"),
                          ("kyc", "kyc_level, sort_key"), ("disabled", "is_disabled, sort_key"),
                          ("created", "created_at"), ("login", "login"),
                          ("phone", "phone_number"), ("branch_name", "branch_name, sort_key")):
        conn.execute(f"CREATE INDEX IF NOT EXISTS customers_f_{name} ON customers({columns})")


MIGRATIONS: list[Callable[[Connection], None]] = [
    _m1_initial,
    _m2_branch_index_and_hidden,
    _m3_sync_read_at_fts_pending,
    _m4_sync_reconciled_at,
    _m5_filter_indexes,
    migration_history_copies,  # 6: the account history's offline copy (issue 15)
    migration_cache_meta,  # 7: cache_meta (the first full sync's bulk load, bulk_load.py)
    migration_name_rekey,  # 8: sort keys/tokens without edge quotes, ‘ an apostrophe
    migration_collation_rekey,  # 9: sort keys in Ukrainian alphabetical order
    migration_marks_iban_rekey,  # 10: й/ї in sort keys, ʹ ʻ ′ apostrophes, IBAN tokens
    migration_nfd_names,  # 11: names with combining marks re-indexed (NFC before the split)
]


class CacheSchemaNewer(CacheError):
    """The file was made by a newer Teller (a schema this one does not know: the desk was
    rolled back). The cache is only a copy of the platform, so the caller wipes it and syncs
    in full (``core.cache_open``), as for a lost key; a ``CacheError`` for older handlers."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"cache schema {found} is newer than this app ({known})")
        self.found = found
        self.known = known


def migrate(conn: Connection) -> int:
    """Bring the schema up to date; returns the resulting version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise CacheSchemaNewer(version, len(MIGRATIONS))
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return len(MIGRATIONS)
