"""The audit outbox file's plumbing (``core.audit.AuditOutbox`` uses it): its key in the OS
keyring, the OS lock two desks on one profile share it under, and appending sealed lines
(fsync'ed, a torn line a killed writer left kept on its own)."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

OUTBOX_KEY = "audit_outbox_key"  # keyring entry (hex of 32 bytes)


async def outbox_key(profile_name: str) -> bytes:
    """The outbox key from the OS keyring (created on first use). Without a persistent
    keyring it lives in memory: entries a killed process left behind are then unreadable."""
    from teller_app.secrets.store import SecretStore

    store = await SecretStore.open(profile_name)
    stored = await store.get(OUTBOX_KEY)
    if stored:
        try:
            key = bytes.fromhex(stored)
            if len(key) == 32:
                return key
        except ValueError:
            pass
    key = secrets.token_bytes(32)
    await store.set(OUTBOX_KEY, key.hex())
    return key


@contextmanager
def file_lock(fh: Any) -> Iterator[None]:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def append_lines(fh: Any, lines: list[bytes]) -> None:
    """``lines`` at the end of the (locked) file, each on its own line, on disk when this
    returns."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    if end:
        fh.seek(end - 1)
        if fh.read(1) != b"\n":
            fh.write(b"\n")  # a torn line from a killed writer stays on its own
    fh.write(b"".join(line + b"\n" for line in lines))
    fh.flush()
    os.fsync(fh.fileno())
