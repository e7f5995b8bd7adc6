"""The bulk load's search index, built on a thread of its own (``bulk_load.finish``).

At 1 000 000 customers the end of a first full sync was ~90 s on ONE thread: the secondary
indexes (~39 s of ``CREATE INDEX``) and then the FTS index (~46 s), while the other core sat
idle. SQLite lets one connection write a database file at a time, so a second connection to
the cache builds the FTS index into a scratch file it attaches (``<cache>-ftsbuild``, encrypted
with the same key, 0600), reading the committed rows through a WAL snapshot, while the cache's
own connection builds the secondary indexes. Then that second connection copies the FTS
shadow tables (``_data``, ``_idx``, ``_docsize``) into the cache in one transaction. (The
scratch file is the attached one because ATTACH reads an existing file at once, with
SQLCipher's default page HMAC, not the cache's: see ``connect.py``.)

The copy MUST be committed by a connection other than the cache's: FTS5 caches its index
structure per connection and notices a change only through ``PRAGMA data_version``, which
moves on another connection's commit. A copy committed by the cache's own connection leaves it
reading (and on its next write, writing) the stale structure: a corrupt index.

The scratch file is never needed after a crash (the marker stays until the copy commits and
the build runs again), so it is written without a journal or fsync, and removed afterwards.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from teller_app.cache import paths
from teller_app.cache.connect import HMAC, connect, key_literal
from teller_app.cache.text import iban_tokens, login_tokens, name_tokens, phone_tokens
from teller_app.cache.thread_priority import lower_this_thread

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

SUFFIX = "-ftsbuild"
CHUNK = 50_000  # rows read and tokenised per FTS insert
_FTS_DDL = "CREATE VIRTUAL TABLE customers_fts "  # as schema.py made it
SHADOWS = ("data", "idx", "docsize")  # FTS5's tables of the index proper (not _config)
# FTS5 flushes its in-memory terms to a new segment past this many bytes (default 1 MiB):
# fewer, bigger segments to merge cut the FTS inserts of 1 000 000 rows from 22 s to 16 s.
HASHSIZE = 8 * 2**20
_SCRATCH_CACHE_KIB = 32 * 1024  # the scratch connection's page cache (the cache's is 128)


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


class FtsBuild:
    """``start()`` builds the FTS index of the cache's committed customers into the scratch
    file on a thread; ``join()`` waits for it (re-raising its error); ``copy_into_cache()``
    then commits it into the cache (call it while the cache's connection has no transaction
    open); ``close()`` waits for the thread and removes the scratch file. Not reusable."""

    def __init__(self, db: Path, key: bytes | None, hmac: str | None) -> None:
        self._db = db
        self._scratch = scratch_path(db)
        self._key = key  # the cache's (None: an unencrypted dev/test cache)
        self._hmac = hmac  # the cache's page HMAC (connect.page_hmac; None when unencrypted)
        self._conn: Connection = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fts-build", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _attach_scratch(self) -> None:
        if self._key is None:
            self._conn.execute("ATTACH DATABASE ? AS build", (str(self._scratch),))
            return
        # bound, so the key is never part of an SQL text; the file is new (nothing read yet),
        # so its HMAC can still be set
        self._conn.execute("ATTACH DATABASE ? AS build KEY ?",
                           (str(self._scratch), key_literal(self._key)))
        self._conn.execute(f"PRAGMA build.cipher_hmac_algorithm = {HMAC}")

    def _run(self) -> None:
        lower_this_thread()  # below the UI thread, as the cache thread
        try:
            paths.wipe_cache_file(self._scratch)  # a crashed build's leftover
            paths.create_private_file(self._scratch)
            self._conn = connect(self._db, self._key, hmac=self._hmac, any_thread=True)
            conn = self._conn
            self._attach_scratch()
            conn.execute("PRAGMA build.journal_mode = OFF")
            conn.execute("PRAGMA build.synchronous = OFF")
            conn.execute(f"PRAGMA build.cache_size = -{_SCRATCH_CACHE_KIB}")
            ddl = conn.execute(
                "SELECT sql FROM main.sqlite_master WHERE name = 'customers_fts'").fetchone()[0]
            if not ddl.startswith(_FTS_DDL):
                raise RuntimeError("the cache's search index has an unexpected definition")
            # the very definition the cache's index has, made in the scratch file
            conn.execute(f"CREATE VIRTUAL TABLE build.customers_fts {ddl[len(_FTS_DDL):]}")
            conn.execute("INSERT INTO build.customers_fts(customers_fts, rank) "
                         "VALUES ('hashsize', ?)", (HASHSIZE,))
            conn.execute("BEGIN")  # one snapshot of the cache for the whole build
            last = 0
            while True:
                rows = conn.execute(
                    "SELECT id, guid, surname, name, paternal_name, login, phone_number "
                    "FROM main.customers WHERE id > ? ORDER BY id LIMIT ?",
                    (last, CHUNK),
                ).fetchall()
                if not rows:
                    break
                last = int(rows[-1][0])
                ibans: dict[str, list[str]] = {}
                for cg, iban in conn.execute(
                    "SELECT a.customer_guid, a.iban FROM main.accounts a JOIN main.customers c "
                    "ON c.guid = a.customer_guid WHERE c.id BETWEEN ? AND ?",
                    (rows[0][0], last),
                ):
                    ibans.setdefault(cg, []).append(iban)
                write_fts_rows(conn, rows, ibans, replace=False, table="build.customers_fts")
            conn.execute("COMMIT")
        except BaseException as exc:  # re-raised by join() on the cache thread
            self._error = exc

    def copy_into_cache(self, marker: str) -> None:
        """Replace the cache's FTS index by the one built, clear the queue of rows to index
        and the bulk-load ``marker``: one transaction of the cache file, committed by the
        scratch connection (see the module docstring)."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in SHADOWS:
                conn.execute(f"DELETE FROM main.customers_fts_{table}")
                conn.execute(f"INSERT INTO main.customers_fts_{table} "
                             f"SELECT * FROM build.customers_fts_{table}")
            conn.execute("DELETE FROM main.fts_pending")
            conn.execute("DELETE FROM main.cache_meta WHERE key = ?", (marker,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Wait for the thread, close its connection and remove the scratch file."""
        if self._thread.ident is not None:  # started
            self._thread.join()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        with contextlib.suppress(OSError):  # best effort: the next build or open retries
            paths.wipe_cache_file(self._scratch)
