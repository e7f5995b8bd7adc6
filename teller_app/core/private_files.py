"""Files the desk writes that name customers or hold its state (receipts, reports, the audit
outbox's marks): private (0600) from their first byte and replaced atomically, so a crash
never leaves half a file and nobody else on the computer can read one even for a moment."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

REMOVING = ".removing"  # remove_overwritten's moved-aside files


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
    """Remove ``path`` so its bytes do not stay readable in the freed blocks: moved aside in
    its folder first (a failure at any later step never leaves zeros under its own name, where
    a key file's zeros would read as a key), then overwritten with zeros (fsynced) and
    unlinked. A file with other hard links (a backup's) is only unlinked: zeroing it would
    zero the backup. Best effort by nature: a copy-on-write file system or an SSD may keep
    old blocks. Raises ``FileNotFoundError`` if it is gone, ``OSError`` as ``unlink`` does."""
    if os.stat(path).st_nlink > 1:
        path.unlink()
        return
    doomed = path.with_name(f".{path.name}{REMOVING}")
    os.replace(path, doomed)
    fsync_folder(path.parent)
    _zero_and_unlink(doomed)


def sweep_removing(folder: Path) -> None:
    """Finish removals a stop interrupted (``remove_overwritten``'s moved-aside files)."""
    for leftover in folder.glob(f".*{REMOVING}"):
        with contextlib.suppress(OSError):
            _zero_and_unlink(leftover)


def _zero_and_unlink(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.write(bytes(os.fstat(fh.fileno()).st_size))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """The folder's entries on disk (a create, rename or unlink survives a power cut); POSIX
    only: a folder cannot be opened on Windows."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
