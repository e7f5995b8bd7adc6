"""Private files: directories 0700, files 0600, written atomically."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create ``path`` (0700) and tighten it if it existed, unless it is a shared directory
    (sticky bit, e.g. /tmp): running as root, a chmod there would lock every other user out."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        if not path.stat().st_mode & stat.S_ISVTX:
            os.chmod(path, 0o700)
    return path


def _parent_dir(path: Path) -> None:
    """Create a missing parent privately; an existing one is the caller's choice, not ours."""
    if not path.parent.is_dir():
        private_dir(path.parent)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600) via a temp file + rename, so readers never see half."""
    _parent_dir(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def create_private_once(path: Path, data: bytes) -> bool:
    """Create ``path`` (0600) with ``data`` unless it exists; True if this call created it.
    O_EXCL makes two processes starting together agree on one file."""
    _parent_dir(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return True
