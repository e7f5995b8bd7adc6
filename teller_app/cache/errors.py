"""Errors raised by the local cache."""

from __future__ import annotations


class CacheError(Exception):
    """Any failure of the local cache (I/O, corrupt file, unsupported schema)."""


class CacheKeyError(CacheError):
    """The cache file cannot be opened with this key (wrong or lost key, or not a database).

    The caller wipes the file (``wipe_cache_file``) and re-syncs from the platform."""
