"""``BranchCache``: the encrypted SQLite branch cache (one connection, one thread): opening
(key, migration, classified errors) and closing here; its reads in ``store_read.py`` and its
writes in ``store_write.py`` (base classes; import ``BranchCache`` from here)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import sqlcipher3

from teller_app.cache import bulk_load, fts_build, paths
from teller_app.cache.connect import KEY_BYTES, connect
from teller_app.cache.errors import CacheError, CacheIOError, CacheKeyError, CacheLockedError
from teller_app.cache.schema import migrate
from teller_app.cache.store_write import CacheWrites

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def classify_error(db: Path, exc: BaseException) -> CacheError:
    """The cache error class for a SQLite/SQLCipher failure while opening ``db``."""
    code = int(getattr(exc, "sqlite_errorcode", -1) or -1) & 0xFF
    text = str(exc).lower()
    name = db.name
    if code == _SQLITE_NOTADB or "not a database" in text:
        return CacheKeyError(f"cannot open cache {name}: wrong key or not a cache")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        return CacheLockedError(f"cache {name} is locked by another connection")
    if code == _SQLITE_FULL or "disk is full" in text:
        return CacheIOError(f"cache {name}: the disk is full", "disk_full")
    if code == _SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return CacheIOError(f"cache {name}: the file or folder is read-only", "read_only")
    if code == _SQLITE_CORRUPT:
        return CacheKeyError(f"cannot open cache {name}: the file is damaged")
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN) or isinstance(exc, OSError):
        kind = _disk_state(db.parent)
        return CacheIOError(f"cache {name}: cannot read or write the file ({text[:80]})", kind)
    return CacheError(f"cache {name} cannot be opened ({text[:80]})")


def _disk_state(folder: Path) -> str:
    """"read_only" / "disk_full" when the folder's filesystem says so, else "io"."""
    import os

    try:
        vfs = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        return "io"
    if vfs.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK):
        return "read_only"
    if vfs.f_bavail == 0:
        return "disk_full"
    return "io"


def _os_error(db: Path, exc: OSError) -> CacheIOError:
    import errno

    if exc.errno == errno.ENOSPC:
        return CacheIOError(f"cache {db.name}: the disk is full", "disk_full")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CacheIOError(f"cache {db.name}: the folder is read-only", "read_only")
    return CacheIOError(f"cache {db.name}: cannot create the file ({exc.strerror})")


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

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str, key: bytes | None, *, busy_timeout: float = 5.0
             ) -> BranchCache:
        """Open (creating/migrating) the cache. ``key``: 32 raw bytes (SQLCipher); None =
        unencrypted (tests/dev). Errors are classified (the caller wipes only on the first):
        ``CacheKeyError`` wrong key or a foreign file; ``CacheLockedError`` still locked by
        another connection after ``busy_timeout`` s; ``CacheIOError`` read-only, full disk,
        permissions or I/O."""
        db = Path(path)
        if key is not None and len(key) != KEY_BYTES:
            raise ValueError(f"cache key must be {KEY_BYTES} bytes")
        try:
            if not db.exists():
                paths.create_private_file(db)
            else:
                paths.ensure_private_dir(db.parent)
        except OSError as exc:
            raise _os_error(db, exc) from exc
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
        except sqlcipher3.Error as exc:
            conn.close()
            raise classify_error(db, exc) from exc
        except BaseException:
            conn.close()
            raise
        paths.secure_files(db)
        cache = cls(conn, db)
        cache._key = key
        cache._repair_bulk_load()
        return cache

    def _repair_bulk_load(self) -> None:
        """A bulk load's indexes still missing although its full sync is done: build them."""
        if bulk_load.pending(self._conn) and self.sync_state().full_sync_done:
            self._finish_bulk_load()
        else:
            with contextlib.suppress(OSError):  # a killed build's scratch file
                paths.wipe_cache_file(fts_build.scratch_path(self.path))

    def close(self) -> None:
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
