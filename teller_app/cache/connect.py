"""Opening a (keyed) SQLCipher connection to one file: the cache's own (``store.py``) and the
bulk load's second one (``fts_build.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3

KEY_BYTES = 32


def key_literal(key: bytes) -> str:
    """SQLCipher's raw-key literal (``x'..'``: the 32 bytes are the key, no derivation)."""
    return f"x'{key.hex()}'"


def connect(db: Path, key: bytes | None, *, busy_timeout: float = 5.0,
            any_thread: bool = False) -> Any:
    """A connection to ``db`` keyed with ``key`` (None: unencrypted, tests/dev), read once so
    a wrong key fails here. ``any_thread``: usable from a thread other than its creator's."""
    conn = sqlcipher3.connect(str(db), isolation_level=None, check_same_thread=not any_thread,
                              timeout=busy_timeout)
    try:
        if key is not None:
            conn.execute(f'PRAGMA key = "{key_literal(key)}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn
