"""Opening a (keyed) SQLCipher connection to one file: the cache's own (``store.py``) and the
bulk load's second one (``fts_build.py``).

Pages are authenticated with HMAC-SHA256, not SQLCipher 4's default HMAC-SHA512: x86 (SHA-NI)
and ARMv8 run SHA-256 in hardware, which checks a page in less than half the time, and the
HMAC dominates reading an encrypted page (AES decrypts ~10x faster). A cache file written with
the old default still opens: the first attempt fails on page 1 and the second uses it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

KEY_BYTES = 32
HMAC = "HMAC_SHA256"
LEGACY_HMAC = "HMAC_SHA512"  # caches written before 2026-12-03
_SQLITE_NOTADB = 26
_LOG_LEVELS = ("NONE", "ERROR", "WARN", "INFO", "DEBUG", "TRACE")


def key_literal(key: bytes) -> str:
    """SQLCipher's raw-key literal (``x'..'``: the 32 bytes are the key, no derivation)."""
    return f"x'{key.hex()}'"


def connect(db: Path, key: bytes | None, *, hmac: str | None = None,
            busy_timeout: float = 5.0, any_thread: bool = False) -> Any:
    """A connection to ``db`` keyed with ``key`` (None: unencrypted, tests/dev), read once so
    a wrong key fails here. ``hmac``: the file's page HMAC when known (``page_hmac``), else
    ``HMAC`` and then ``LEGACY_HMAC``. ``any_thread``: usable from a thread other than its
    creator's."""
    if key is None or hmac is not None:
        return _open(db, key, hmac or HMAC, busy_timeout, any_thread)
    try:
        with _quiet_cipher_log():  # an old cache's page 1 failing here is expected, not news
            return _open(db, key, HMAC, busy_timeout, any_thread)
    except sqlcipher3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF != _SQLITE_NOTADB:
            raise  # locked, I/O...: the same with either HMAC
    return _open(db, key, LEGACY_HMAC, busy_timeout, any_thread)  # a wrong key fails here too


def page_hmac(conn: Any) -> str | None:
    """The page HMAC of ``conn``'s main database (None: unencrypted)."""
    row = conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()
    return str(row[0]) if row else None


@contextmanager
def _quiet_cipher_log() -> Iterator[None]:
    """SQLCipher's own log (stderr, process-wide) silenced for one attempt, then restored."""
    probe = sqlcipher3.connect(":memory:")
    try:
        level = str(probe.execute("PRAGMA cipher_log_level").fetchone()[0])
        if level not in _LOG_LEVELS:  # it goes back into an SQL text
            level = "WARN"
        probe.execute("PRAGMA cipher_log_level = NONE")
        try:
            yield
        finally:
            probe.execute(f"PRAGMA cipher_log_level = {level}")
    finally:
        probe.close()


def _open(db: Path, key: bytes | None, hmac: str, busy_timeout: float, any_thread: bool) -> Any:
    if hmac not in (HMAC, LEGACY_HMAC):  # it becomes part of an SQL text
        raise ValueError(f"unknown page HMAC {hmac!r}")
    conn = sqlcipher3.connect(str(db), isolation_level=None, check_same_thread=not any_thread,
                              timeout=busy_timeout)
    try:
        if key is not None:
            conn.execute(f'PRAGMA key = "{key_literal(key)}"')
            conn.execute(f"PRAGMA cipher_hmac_algorithm = {hmac}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn
