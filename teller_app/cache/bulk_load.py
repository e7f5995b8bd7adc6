"""The first full sync into an EMPTY cache, as a bulk load (issue 12).

Row by row, a full sync maintained ~11 secondary indexes on random keys (sort key, login,
phone, created_at, ...) and the FTS index for every stored row: at 1 000 000 customers that was
~8x the time of paging the list. So when a full sync starts on an empty cache the secondary
indexes of ``customers`` are dropped (their ``CREATE INDEX`` text kept in ``cache_meta``, in
the SAME transaction as the drop and the first page), rows are appended with only the rowid
and the ``guid`` key (the upsert needs it), no FTS rows are written, and once the page that
completes the full sync is committed the indexes and the whole FTS index are built once.

The filter bar's indexes (``customers_f_*``, read only by ``cache/filters.py``) are not on
the way to a searchable cache: ``finish`` leaves them to ``build_next_deferred``, one index
per call (a few seconds each at 1 000 000 rows), which the sync engine runs in the background
once the sync is done. At 1 000 000 rows that makes the end of a first sync ~8 s shorter, and
the cache thread is never held for their ~30 s at once: a search waits for one index at most.
Until then a filter reads the table (correct, slower). ``DEFERRED`` lists those not built yet.

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
DEFERRED = "deferred_indexes"  # cache_meta key: JSON list of CREATE INDEX statements to run
DEFERRED_NAMES = "CREATE INDEX customers_f_"  # the filter bar's indexes (schema migration 5)


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
            statements = json.loads(row[0])
            for sql in statements:
                if not sql.startswith(DEFERRED_NAMES):
                    conn.execute(_if_not_exists(sql))
            _defer(conn, [sql for sql in statements if sql.startswith(DEFERRED_NAMES)])
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


def _if_not_exists(sql: str) -> str:
    return sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)


def _deferred(conn: Connection) -> list[str]:
    row = conn.execute("SELECT value FROM cache_meta WHERE key = ?", (DEFERRED,)).fetchone()
    return [] if row is None else list(json.loads(row[0]))


def _set_deferred(conn: Connection, statements: list[str]) -> None:
    if statements:
        conn.execute("INSERT OR REPLACE INTO cache_meta(key, value) VALUES (?, ?)",
                     (DEFERRED, json.dumps(statements)))
    else:
        conn.execute("DELETE FROM cache_meta WHERE key = ?", (DEFERRED,))


def _defer(conn: Connection, statements: list[str]) -> None:
    """Add ``statements`` to those left for ``build_next_deferred`` (kept if already there:
    a bulk load that began before the last one's were all built)."""
    kept = _deferred(conn)
    _set_deferred(conn, kept + [sql for sql in statements if sql not in kept])


def deferred_count(conn: Connection) -> int:
    """How many indexes ``finish`` left for ``build_next_deferred``."""
    return len(_deferred(conn))


def build_next_deferred(conn: Connection) -> int:
    """With no transaction open on ``conn``: build ONE index ``finish`` left out, in one
    transaction with its removal from the list; returns how many are left. Nothing while a
    bulk load is under way (its ``finish`` comes first: the table is still growing)."""
    if pending(conn):
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        statements = _deferred(conn)
        if statements:
            conn.execute(_if_not_exists(statements[0]))
            _set_deferred(conn, statements[1:])
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return max(0, len(statements) - 1)
