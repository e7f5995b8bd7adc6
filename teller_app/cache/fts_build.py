"""The bulk load's search index, built on a thread of its own (``bulk_load``).

At 1 000 000 customers the end of a first full sync was ~90 s on ONE thread: the secondary
indexes (~39 s of ``CREATE INDEX``) and then the FTS index (~46 s), while the other core sat
idle. SQLite lets one connection write a database file at a time, so the FTS index is built
by a second connection into a scratch file next to the cache (``<cache>-ftsbuild``, encrypted
with the same key, 0600), while the cache's own connection stores the pages and, at the end,
builds the secondary indexes. Then that second connection copies the FTS shadow tables
(``_data``, ``_idx``, ``_docsize``) into the cache in one transaction.

The build FOLLOWS the sync: it starts with the bulk load's first page and indexes the rows
of each committed batch while the next pages arrive (a third connection reads them, one short
transaction a chunk), so at the end only the last batch is left to it. Most of its work (FTS5
inserts, in C without the GIL) runs on the core the paging leaves idle. A row it has read may
change later in the same load (a later page, a teller's edit, a deletion, an IBAN): TEMP
triggers on the cache's connection queue those in ``fts_pending`` and the build indexes them
again at its end, while the cache's connection waits for it.

The copy MUST be committed by a connection other than the cache's: FTS5 caches its index
structure per connection and notices a change only through ``PRAGMA data_version``, which
moves on another connection's commit. A copy committed by the cache's own connection leaves it
reading (and on its next write, writing) the stale structure: a corrupt index.

The scratch file is never needed after a crash (the marker stays until the copy commits and
a new build reads every committed row again), so it is written without a journal or fsync,
and removed afterwards.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from teller_app.cache import paths
from teller_app.cache.connect import connect, key_literal
from teller_app.cache.text import iban_tokens, login_tokens, name_tokens, phone_tokens

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

SUFFIX = "-ftsbuild"
CHUNK = 50_000  # rows read and tokenised per FTS insert
SHADOWS = ("data", "idx", "docsize")  # FTS5's tables of the index proper (not _config)
# FTS5 flushes its in-memory terms to a new segment past this many bytes (default 1 MiB):
# fewer, bigger segments to merge cut the FTS inserts of 1 000 000 rows from 22 s to 16 s.
HASHSIZE = 8 * 2**20
_SCRATCH_CACHE_KIB = 32 * 1024  # the scratch connection's page cache (the cache's is 128)


# While a bulk load's search index follows its committed pages, the cache's connection queues
# in ``fts_pending`` every customer changed after the build may have read it (a row updated
# by a later page, a teller's own write, a deletion, an account and its IBAN); the build
# indexes those again at its end. TEMP: per connection, never stored in the cache file.
_FOLLOW_TRIGGERS = {
    "fts_follow_customer_update": "AFTER UPDATE ON main.customers BEGIN "
    "INSERT OR IGNORE INTO fts_pending(id) VALUES (old.id); END",
    "fts_follow_customer_delete": "AFTER DELETE ON main.customers BEGIN "
    "INSERT OR IGNORE INTO fts_pending(id) VALUES (old.id); END",
    "fts_follow_account_insert": "AFTER INSERT ON main.accounts BEGIN INSERT OR IGNORE INTO "
    "fts_pending(id) SELECT id FROM customers WHERE guid = new.customer_guid; END",
    "fts_follow_account_update": "AFTER UPDATE ON main.accounts BEGIN INSERT OR IGNORE INTO "
    "fts_pending(id) SELECT id FROM customers WHERE guid IN (old.customer_guid, "
    "new.customer_guid); END",
    "fts_follow_account_delete": "AFTER DELETE ON main.accounts BEGIN INSERT OR IGNORE INTO "
    "fts_pending(id) SELECT id FROM customers WHERE guid = old.customer_guid; END",
}


def follow_changes(conn: Connection) -> None:
    """On the cache's connection, inside each bulk page's transaction (a rollback drops them)."""
    for name, body in _FOLLOW_TRIGGERS.items():
        conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {name} {body}")


def stop_following(conn: Connection) -> None:
    for name in _FOLLOW_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS temp.{name}")


def scratch_path(db: Path) -> Path:
    return Path(str(db) + SUFFIX)


def write_fts_rows(conn: Connection, rows: list[Any], ibans: dict[str, list[str]],
                   replace: bool = True, table: str = "customers_fts") -> None:
    """(Re)write the FTS rows of ``(id, guid, surname, name, paternal_name, login,
    phone_number)`` rows, given in id order (``replace=False``: none is indexed yet, a plain
    INSERT skips the lookup of a row to replace)."""
    conn.executemany(
        ("INSERT OR REPLACE" if replace else "INSERT")
        + f" INTO {table}(rowid, surname, name, paternal, login, phone, iban) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r[0],
                name_tokens(r[2]),
                name_tokens(r[3]),
                name_tokens(r[4]),
                login_tokens(r[5]),
                phone_tokens(r[6]),
                iban_tokens(ibans.get(r[1], [])),
            )
            for r in rows
        ],
    )


_ROWS = "SELECT c.id, c.guid, c.surname, c.name, c.paternal_name, c.login, c.phone_number " \
    "FROM customers c"


def _ibans(reader: Connection, rows: list[Any], spread: bool = False) -> dict[str, list[str]]:
    """The IBANs of these customers (rows in id order; ``spread``: ids far apart)."""
    ibans: dict[str, list[str]] = {}
    if not rows:
        return ibans
    if spread:
        ids = [r[0] for r in rows]
        where, args = f"c.id IN ({','.join('?' * len(ids))})", ids
    else:
        where, args = "c.id BETWEEN ? AND ?", [rows[0][0], rows[-1][0]]
    for cg, iban in reader.execute(
        "SELECT a.customer_guid, a.iban FROM accounts a JOIN customers c "
        f"ON c.guid = a.customer_guid WHERE {where}", args
    ):
        ibans.setdefault(cg, []).append(iban)
    return ibans


class FtsBuild:
    """``start()`` builds the FTS index of the cache's committed customers into the scratch
    file on a thread, ``committed()`` tells it more rows are committed; ``join()`` lets it read
    the last ones and the changed ones and waits for it (re-raising its error);
    ``copy_into_cache()`` then commits it into the cache (call it while the cache's connection
    has no transaction open); ``close()`` stops the thread and removes the scratch file. Not
    reusable."""

    def __init__(self, db: Path, key: bytes | None) -> None:
        self._db = db
        self._scratch = scratch_path(db)
        self._key = key  # the cache's (None: an unencrypted dev/test cache)
        self._conn: Connection = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fts-build", daemon=True)
        self._wake = threading.Condition()
        self._more = True  # the rows committed before start()
        self._final = False
        self._abort = False  # close() before join(): stop reading, nothing to keep
        self._read_through = 0  # the last customers.id indexed (ids grow as rows are added)
        self._progress = threading.Condition()

    def start(self) -> None:
        if self._thread.ident is None:
            self._thread.start()

    def join(self) -> None:
        with self._wake:
            self._final = True
            self._more = True  # one last read: the page that completed the sync
            self._wake.notify()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _attach_cache(self) -> None:
        if self._key is None:
            self._conn.execute("ATTACH DATABASE ? AS src", (str(self._db),))
        else:  # bound, so the key is never part of an SQL text
            self._conn.execute("ATTACH DATABASE ? AS src KEY ?",
                               (str(self._db), key_literal(self._key)))

    def committed(self) -> None:
        """More rows are committed (the sync's pages): read and index them while it pages."""
        with self._wake:
            self._more = True
            self._wake.notify()

    def wait_read_through(self, row_id: int, timeout: float) -> bool:
        """Until the rows up to ``row_id`` are indexed (tests: a change after that point)."""
        with self._progress:
            return self._progress.wait_for(lambda: self._read_through >= row_id, timeout)

    def _wait_for_more(self) -> bool:
        """False once ``join`` asked for the end and nothing more was committed."""
        with self._wake:
            while not self._more and not self._final:
                self._wake.wait()
            more, self._more = self._more, False
            return more

    def _run(self) -> None:
        try:
            paths.wipe_cache_file(self._scratch)  # a crashed build's leftover
            paths.create_private_file(self._scratch)
            self._conn = connect(self._scratch, self._key, any_thread=True)
            conn = self._conn
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(f"PRAGMA cache_size = -{_SCRATCH_CACHE_KIB}")
            self._attach_cache()
            ddl = conn.execute(
                "SELECT sql FROM src.sqlite_master WHERE name = 'customers_fts'").fetchone()[0]
            conn.execute(ddl)  # the very definition the cache's index has
            conn.execute("INSERT INTO customers_fts(customers_fts, rank) VALUES ('hashsize', ?)",
                         (HASHSIZE,))
            # The cache's rows are read by a connection of their own, one short transaction a
            # chunk (each sees the pages committed since); the scratch file is written in ONE
            # transaction (FTS5 flushes a segment per commit: few, big segments to merge).
            reader = connect(self._db, self._key, any_thread=True)
            try:
                conn.execute("BEGIN")
                self._follow(conn, reader)
                if not self._abort:
                    self._index_changed(conn, reader)
                conn.execute("COMMIT")
            finally:
                reader.close()
        except BaseException as exc:  # re-raised by join() on the cache thread
            self._error = exc

    def _follow(self, conn: Connection, reader: Connection) -> None:
        last = 0
        while not self._abort:
            more = self._wait_for_more()
            while not self._abort:
                reader.execute("BEGIN")
                try:
                    rows = reader.execute(f"{_ROWS} WHERE c.id > ? ORDER BY c.id LIMIT ?",
                                          (last, CHUNK)).fetchall()
                    ibans = _ibans(reader, rows)
                finally:
                    reader.execute("COMMIT")
                if not rows:
                    break
                last = int(rows[-1][0])
                write_fts_rows(conn, rows, ibans, replace=False, table="main.customers_fts")
                with self._progress:
                    self._read_through = last
                    self._progress.notify_all()
            if not more:
                return

    def _index_changed(self, conn: Connection, reader: Connection) -> None:
        """The rows changed after the build may have read them (``follow_changes``), again;
        a deleted row only out. (The cache's connection waits in ``join``: nothing moves.)"""
        ids = [int(r[0]) for r in reader.execute("SELECT id FROM fts_pending ORDER BY id")]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.executemany("DELETE FROM main.customers_fts WHERE rowid = ?",
                             [(i,) for i in chunk])
            rows = reader.execute(
                f"{_ROWS} WHERE c.id IN ({','.join('?' * len(chunk))}) ORDER BY c.id", chunk
            ).fetchall()
            if rows:
                write_fts_rows(conn, rows, _ibans(reader, rows, spread=True), replace=False,
                               table="main.customers_fts")

    def copy_into_cache(self, marker: str) -> None:
        """Replace the cache's FTS index by the one built, clear the queue of rows to index
        and the bulk-load ``marker``: one transaction of the cache file, committed by the
        scratch connection (see the module docstring)."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in SHADOWS:
                conn.execute(f"DELETE FROM src.customers_fts_{table}")
                conn.execute(f"INSERT INTO src.customers_fts_{table} "
                             f"SELECT * FROM main.customers_fts_{table}")
            conn.execute("DELETE FROM src.fts_pending")
            conn.execute("DELETE FROM src.cache_meta WHERE key = ?", (marker,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Wait for the thread, close its connection and remove the scratch file."""
        if self._thread.ident is not None:  # started
            with self._wake:
                self._final = self._abort = True
                self._wake.notify()
            self._thread.join()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        with contextlib.suppress(OSError):  # best effort: the next build or open retries
            paths.wipe_cache_file(self._scratch)
