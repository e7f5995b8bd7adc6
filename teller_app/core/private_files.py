"""Files the desk writes that name customers or hold its state (receipts, reports, the audit
outbox's marks): private (0600) from their first byte and replaced atomically, so a crash
never leaves half a file and nobody else on the computer can read one even for a moment."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (0600, fsynced, atomic replace); the folder must exist or is
    made. Raises ``OSError`` (disk full, read-only, no such share) with nothing left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
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
