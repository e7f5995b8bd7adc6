"""Errors raised by the local cache."""

from __future__ import annotations


class CacheError(Exception):
    """Any failure of the local cache (I/O, corrupt file, unsupported schema)."""


class CacheKeyError(CacheError):
    """The cache file cannot be opened with this key (wrong or lost key, or not a database).

    The caller wipes the file (``wipe_cache_file``) and re-syncs from the platform."""


class CacheCorruptError(CacheKeyError):
    """The cache file is damaged: a page fails its check (SQLCipher's HMAC: "database disk
    image is malformed", then a MemoryError for every later statement of that connection) or
    SQLite finds the file malformed. It is only a copy of the platform, so it is wiped and
    synced in full, as for a lost key (a ``CacheKeyError`` for the callers that wipe those);
    searches go to the platform meanwhile."""


class CacheLockedError(CacheError):
    """Another connection holds the cache (another Teller on this profile is using it). Nothing
    is wiped: wait and retry, or tell the user another Teller is running."""


class CacheIOError(CacheError):
    """The cache cannot be read or written (read-only directory, full disk, I/O error,
    permissions). Nothing is wiped; ``kind`` is "read_only", "disk_full" or "io"."""

    def __init__(self, message: str, kind: str = "io") -> None:
        super().__init__(message)
        self.kind = kind
