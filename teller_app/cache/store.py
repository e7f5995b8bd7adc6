"""``BranchCache``: the encrypted SQLite branch cache (one connection, one thread): opening
(key, migration, classified errors) and closing here; its reads in ``store_read.py`` and its
writes in ``store_write.py`` (base classes; import ``BranchCache`` from here)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlcipher3

from teller_app.cache import bulk_load, fts_build, paths
from teller_app.cache.connect import KEY_BYTES, connect
from teller_app.cache.errors import CacheCorruptError, CacheError, CacheKeyError
from teller_app.cache.failures import classify_error, classify_failure, os_error
from teller_app.cache.schema import migrate
from teller_app.cache.store_write import CacheWrites

P = ParamSpec("P")
T = TypeVar("T")


class BranchCache(CacheWrites):
    """One branch (or head-office) cache database. Not thread-safe: use from one thread
    (``core.cache_worker.CacheWorker``)."""

    def __init__(self, conn: Any, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._secured = False
        self._batch_open = False
        self._bulk_wal = False  # wal_autocheckpoint off during a full sync (store_page)
        self._loading: bool | None = None  # a bulk load is under way (bulk_load); None: ask
        self._key: bytes | None = None  # for the bulk load's second connection (fts_build)
        # a statement found a damaged page (``guarded``): nothing more is read from the file
        self.damaged = False

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str, key: bytes | None, *, busy_timeout: float = 5.0
             ) -> BranchCache:
        """Open (creating/migrating) the cache. ``key``: 32 raw bytes (SQLCipher); None =
        unencrypted (tests/dev). Errors are classified (the caller wipes only on the first):
        ``CacheKeyError`` wrong key or a foreign file (``CacheCorruptError``: a damaged one);
        ``CacheLockedError`` still locked by another connection after ``busy_timeout`` s;
        ``CacheIOError`` read-only, full disk (also while building what a first sync's end
        left unbuilt), permissions or I/O."""
        db = Path(path)
        if key is not None and len(key) != KEY_BYTES:
            raise ValueError(f"cache key must be {KEY_BYTES} bytes")
        try:
            if not db.exists():
                paths.create_private_file(db)
            else:
                paths.ensure_private_dir(db.parent)
        except OSError as exc:
            raise os_error(db, exc) from exc
        try:
            conn = connect(db, key, busy_timeout=busy_timeout)
        except sqlcipher3.Error as exc:
            raise classify_error(db, exc) from exc
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -131072")  # 128 MiB of decrypted pages
            conn.execute("PRAGMA temp_store = MEMORY")
            migrate(conn)
        except (sqlcipher3.Error, MemoryError) as exc:
            conn.close()
            raise classify_error(db, exc) from exc
        except BaseException:
            conn.close()
            raise
        paths.secure_files(db)
        cache = cls(conn, db)
        cache._key = key
        try:  # a full disk here was a raw OperationalError, worded "could not be opened"
            cache._repair_bulk_load()
        except (sqlcipher3.Error, OSError, MemoryError) as exc:
            cache._discard()
            raise classify_error(db, exc) from exc
        return cache

    def _repair_bulk_load(self) -> None:
        """A bulk load's indexes still missing although its full sync is done: build them."""
        if bulk_load.pending(self._conn) and self.sync_state().full_sync_done:
            self._finish_bulk_load()
        else:
            with contextlib.suppress(OSError):  # a killed build's scratch file
                paths.wipe_cache_file(fts_build.scratch_path(self.path))

    def guarded(self, fn: Callable[Concatenate[BranchCache, P], T], /,
                *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(self, *args, **kwargs)`` with a SQLite/SQLCipher failure turned into a
        ``CacheError`` (``failures.classify_failure``): the cache worker runs every call
        through this. A damaged page marks the cache ``damaged``: every later call raises
        ``CacheCorruptError`` at once (SQLCipher's error is sticky anyway), ``close()``
        removes the file and ``rebuilt()`` opens it again empty."""
        if self.damaged:
            raise CacheCorruptError(f"cache {self.path.name} is damaged")
        try:
            return fn(self, *args, **kwargs)
        except Exception as exc:
            failure = classify_failure(self.path, exc)
            if failure is None:
                raise
            if isinstance(failure, CacheCorruptError):
                self.damaged = True
            raise failure from exc

    def rebuilt(self) -> BranchCache:
        """This (damaged) cache closed without a write, its files removed, and the same path
        opened again, empty, with the same key: the caller syncs in full, as after a lost
        key. Raises what ``open`` raises (a full disk, a read-only folder)."""
        path, key = self.path, self._key
        self._discard()
        try:
            paths.wipe_cache_file(path)
        except OSError as exc:
            raise os_error(path, exc) from exc
        return type(self).open(path, key)

    def _discard(self) -> None:
        """Close the connection and write nothing: an open batch is rolled back with it."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a damaged connection may fail even this
                conn.close()

    def close(self) -> None:
        """Commit what is left and close. A ``damaged`` cache is removed instead (a copy
        that cannot be read): the next open starts empty and syncs in full."""
        if self._conn is not None and self.damaged:
            self._discard()
            with contextlib.suppress(OSError):  # then the next open finds the damage again
                paths.wipe_cache_file(self.path)
            return
        if self._conn is not None:
            self.flush()
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.execute("PRAGMA optimize")
            # The last connection's close() checkpoints the WAL, and sqlcipher3 holds the GIL
            # through it: a sync's WAL froze the UI ~0.4 s. execute() releases it.
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None
            paths.secure_files(self.path)

    def integrity_check(self) -> str:
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    def __enter__(self) -> BranchCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["BranchCache", "CacheError", "CacheKeyError"]
