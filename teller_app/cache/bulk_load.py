"""The first full sync into an EMPTY cache, as a bulk load (issue 12).

Row by row, a full sync maintained ~11 secondary indexes on random keys (sort key, login,
phone, created_at, ...) and the FTS index for every stored row: at 1 000 000 customers that was
~8x the time of paging the list. So when a full sync starts on an empty cache the secondary
indexes of ``customers`` are dropped (their ``CREATE INDEX`` text kept in ``cache_meta``, in
the SAME transaction as the drop and the first page), rows are appended with only the rowid
and the ``guid`` key (the upsert needs it), no FTS rows are written, and the page that
completes the full sync builds the indexes and the whole FTS index once, in id order.

A kill at any point leaves a consistent cache: the marker and the dropped indexes commit
together; reads stay correct without them (slower: a cold cache searches on the platform
anyway), the resumed full sync keeps loading in bulk and builds them at its end, and ``open``
repairs a cache whose full sync is done but whose marker is still there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)
IndexRows = Callable[[list[Any], dict[str, list[str]]], None]

MARKER = "bulk_indexes"  # cache_meta key: JSON list of the dropped CREATE INDEX statements
FTS_CHUNK = 50_000  # rows tokenised per FTS insert when the bulk load finishes
# FTS5 flushes its in-memory terms to a new segment past this many bytes (default 1 MiB):
# fewer, bigger segments to merge (with a plain INSERT, ``index_rows``) cut the FTS inserts
# of 1 000 000 rows from 22 s to 16 s (the whole FTS build, tokens included: 34-35 -> 29 s).
FTS_HASHSIZE = 8 * 2**20


def migration_cache_meta(conn: Connection) -> None:
    """Migration 7: small key/value facts about the cache itself (the bulk-load marker)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS cache_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )


def pending(conn: Connection) -> bool:
    """True while a bulk load has dropped the indexes and not yet rebuilt them."""
    row = conn.execute("SELECT 1 FROM cache_meta WHERE key = ?", (MARKER,)).fetchone()
    return row is not None


def start_if_empty(conn: Connection) -> bool:
    """Inside the caller's transaction: if ``customers`` is empty, drop its secondary indexes
    and record them; True if a bulk load is (now or already) under way."""
    if pending(conn):
        return True
    if conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone() is not None:
        return False
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
        "AND sql IS NOT NULL ORDER BY name"  # sql IS NULL: the UNIQUE(guid) key, kept
    ).fetchall()
    conn.execute(
        "INSERT INTO cache_meta(key, value) VALUES (?, ?)",
        (MARKER, json.dumps([sql for _, sql in indexes])),
    )
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return True


def finish(conn: Connection, index_rows: IndexRows) -> None:
    """Inside the caller's transaction: build the dropped indexes, then the whole FTS index
    (rows in id order, ``index_rows`` tokenises them and inserts them into an FTS index it
    may assume empty), and clear the marker."""
    row = conn.execute("SELECT value FROM cache_meta WHERE key = ?", (MARKER,)).fetchone()
    if row is None:
        return
    for sql in json.loads(row[0]):
        conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    conn.execute("INSERT INTO customers_fts(customers_fts, rank) VALUES ('hashsize', ?)",
                 (FTS_HASHSIZE,))
    # Rows a teller's own write indexed meanwhile are indexed again: start from nothing.
    conn.execute("INSERT INTO customers_fts(customers_fts) VALUES ('delete-all')")
    conn.execute("DELETE FROM fts_pending")
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, guid, surname, name, paternal_name, login, phone_number FROM customers "
            "WHERE id > ? ORDER BY id LIMIT ?",
            (last, FTS_CHUNK),
        ).fetchall()
        if not rows:
            break
        last = int(rows[-1][0])
        ibans: dict[str, list[str]] = {}
        for cg, iban in conn.execute(
            "SELECT a.customer_guid, a.iban FROM accounts a JOIN customers c "
            "ON c.guid = a.customer_guid WHERE c.id BETWEEN ? AND ?",
            (rows[0][0], last),
        ):
            ibans.setdefault(cg, []).append(iban)
        index_rows(rows, ibans)
    conn.execute("DELETE FROM cache_meta WHERE key = ?", (MARKER,))
