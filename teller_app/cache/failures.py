"""What a SQLite/SQLCipher failure of the cache is, as a ``CacheError`` (``cache/errors.py``):
while opening a file (``classify_error``) and on an open cache (``classify_failure``, which
``BranchCache.guarded`` applies to every call the cache worker makes).

A damaged page (not page 1) is found only when a statement reads it: SQLCipher's HMAC check
fails, SQLite says "database disk image is malformed" (SQLITE_CORRUPT), and from then on the
codec's error is sticky: every statement of that connection fails with SQLITE_NOMEM, which
the driver raises as a bare ``MemoryError`` (no text, no code). Both mean "damaged", the
``MemoryError`` only after the "malformed": alone it is SQLite short of memory (SQLITE_NOMEM
too), and wiping a sound cache for that would cost a full sync when memory is already short."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import sqlcipher3

from teller_app.cache.errors import (
    CacheCorruptError,
    CacheError,
    CacheIOError,
    CacheKeyError,
    CacheLockedError,
)

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def _code(exc: BaseException) -> int:
    return int(getattr(exc, "sqlite_errorcode", -1) or -1) & 0xFF


def _damaged(exc: BaseException) -> bool:
    """A damaged page: SQLITE_CORRUPT or "malformed" (never a bare ``MemoryError``: see
    ``classify_failure``)."""
    return _code(exc) == _SQLITE_CORRUPT or "malformed" in str(exc).lower()


def classify_error(db: Path, exc: BaseException) -> CacheError:
    """The cache error class for a SQLite/SQLCipher failure while opening ``db``."""
    code = _code(exc)
    text = str(exc).lower()
    name = db.name
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES,
                                                  errno.EPERM):
        return os_error(db, exc)
    if code == _SQLITE_NOTADB or "not a database" in text:
        return CacheKeyError(f"cannot open cache {name}: wrong key or not a cache")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        return CacheLockedError(f"cache {name} is locked by another connection")
    if code == _SQLITE_FULL or "disk is full" in text:
        return CacheIOError(f"cache {name}: the disk is full", "disk_full")
    if code == _SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return CacheIOError(f"cache {name}: the file or folder is read-only", "read_only")
    if _damaged(exc):
        return CacheCorruptError(f"cannot open cache {name}: the file is damaged")
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN) or isinstance(exc, OSError):
        kind = _disk_state(db.parent)
        return CacheIOError(f"cache {name}: cannot read or write the file ({text[:80]})", kind)
    return CacheError(f"cache {name} cannot be opened ({text[:80]})")


def classify_failure(db: Path, exc: BaseException, *,
                     after_damage: bool = False) -> CacheError | None:
    """The cache error for a failure of a statement on the OPEN cache ``db``; None when it is
    none of the cache's (a ``CacheError`` already, a constraint, a programming error: raised
    as it is). A damaged page is ``CacheCorruptError``; a full disk (e.g. the end of a first
    sync building its indexes) ``CacheIOError("disk_full")``. A bare ``MemoryError`` is the
    codec's sticky error only ``after_damage`` (this connection already met the damaged
    page); else it is memory running short, which must not cost the file (a plain
    ``CacheError``: the next call may well work)."""
    if isinstance(exc, CacheError):
        return None
    name = db.name
    if isinstance(exc, MemoryError):
        if after_damage:  # the codec's sticky error (module docstring)
            return CacheCorruptError(f"cache {name} is damaged (a page failed its check)")
        return CacheError(f"cache {name}: out of memory")
    if isinstance(exc, OSError):  # a file beside the cache (the search index's scratch file)
        return os_error(db, exc)
    if not isinstance(exc, sqlcipher3.Error):
        return None
    code = _code(exc)
    text = str(exc).lower()
    if code == _SQLITE_NOTADB or "not a database" in text or _damaged(exc):
        return CacheCorruptError(f"cache {name} is damaged ({text[:80]})")
    if code == _SQLITE_FULL or "disk is full" in text:
        return CacheIOError(f"cache {name}: the disk is full", "disk_full")
    if code == _SQLITE_READONLY or "readonly" in text:
        return CacheIOError(f"cache {name}: the file or folder is read-only", "read_only")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return CacheLockedError(f"cache {name} is locked by another connection")
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN):
        kind = _disk_state(db.parent)
        return CacheIOError(f"cache {name}: cannot read or write the file ({text[:80]})", kind)
    return None


def _disk_state(folder: Path) -> str:
    """"read_only" / "disk_full" when the folder's filesystem says so, else "io"."""
    try:
        vfs = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        return "io"
    if vfs.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK):
        return "read_only"
    if vfs.f_bavail == 0:
        return "disk_full"
    return "io"


def os_error(db: Path, exc: OSError) -> CacheIOError:
    if exc.errno == errno.ENOSPC:
        return CacheIOError(f"cache {db.name}: the disk is full", "disk_full")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CacheIOError(f"cache {db.name}: the folder is read-only", "read_only")
    return CacheIOError(f"cache {db.name}: cannot create or write a file ({exc.strerror})")
