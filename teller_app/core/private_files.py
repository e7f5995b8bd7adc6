"""Files the desk writes that name customers or hold its state (receipts, reports, the audit
outbox's marks): private (0600) from their first byte and replaced atomically, so a crash
never leaves half a file and nobody else on the computer can read one even for a moment."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (0600, fsynced, atomic replace); the folder must exist or is
    made. Raises ``OSError`` (disk full, read-only, no such share) with nothing left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: 0600 and a name of its own, so two saves to one path never share a temp file
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def remove_overwritten(path: Path) -> None:
    """Overwrite ``path`` with zeros in place (fsynced), then remove it: a key file that moved
    into the keyring does not stay readable in the freed blocks. Best effort by nature: a
    copy-on-write file system or an SSD may keep the old blocks; the keyring is the fix for
    that. Raises ``FileNotFoundError`` if it is gone, ``OSError`` as ``unlink`` does."""
    with open(path, "r+b") as fh:
        size = os.fstat(fh.fileno()).st_size
        fh.write(bytes(size))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
