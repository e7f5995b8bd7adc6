"""The first full sync into an EMPTY cache, as a bulk load (issue 12).

Row by row, a full sync maintained ~11 secondary indexes on random keys (sort key, login,
phone, created_at, ...) and the FTS index for every stored row: at 1 000 000 customers that was
~8x the time of paging the list. So when a full sync starts on an empty cache the secondary
indexes of ``customers`` are dropped (their ``CREATE INDEX`` text kept in ``cache_meta``, in
the SAME transaction as the drop and the first page), rows are appended with only the rowid
and the ``guid`` key (the upsert needs it), no FTS rows are written, and once the page that
completes the full sync is committed the indexes and the whole FTS index are built once.

A kill at any point leaves a consistent cache: the marker and the dropped indexes commit
together; reads stay correct without them (slower: a cold cache searches on the platform
anyway), the resumed full sync keeps loading in bulk and builds them at its end, and ``open``
repairs a cache whose full sync is done but whose marker is still there. The end build runs
on two threads: the secondary indexes on the cache's connection while ``fts_build`` builds the
FTS index beside it; the marker is cleared with the FTS index's copy, the last step.
"""

from __future__ import annotations

import json
from typing import Any

from teller_app.cache.fts_build import HASHSIZE as FTS_HASHSIZE
from teller_app.cache.fts_build import FtsBuild

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

MARKER = "bulk_indexes"  # cache_meta key: JSON list of the dropped CREATE INDEX statements


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


def finish(conn: Connection, build: FtsBuild) -> None:
    """With no transaction open on ``conn`` (the cache's connection, its rows committed):
    build the dropped indexes (one transaction) while ``build`` builds the FTS index of the
    committed rows on its own thread, then let ``build`` replace the FTS index and clear the
    marker (a second transaction). A failure or a kill in between leaves the marker: the
    next ``finish`` (``open`` repairs) does what is missing."""
    row = conn.execute("SELECT value FROM cache_meta WHERE key = ?", (MARKER,)).fetchone()
    if row is None:
        return
    build.start()
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql in json.loads(row[0]):
                conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            conn.execute("INSERT INTO customers_fts(customers_fts, rank) VALUES ('hashsize', ?)",
                         (FTS_HASHSIZE,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        build.join()
        build.copy_into_cache(MARKER)
    finally:
        build.close()
