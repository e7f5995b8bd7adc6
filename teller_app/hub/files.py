"""Private files: directories 0700, files 0600, written atomically: a file is whole or absent,
never empty or half-written, and a failed write (a full disk) leaves nothing behind."""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
import time
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
    """Write ``data`` to ``path`` (0600) via a temp file + rename, so readers never see half;
    a failed write leaves ``path`` as it was."""
    _parent_dir(path)
    tmp = _written_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def create_private_once(path: Path, data: bytes) -> bool:
    """Create ``path`` (0600) holding all of ``data`` unless it exists; True if this call
    created it. The bytes go to a temp file beside it first (fsynced), which a hard link then
    puts in place: the link fails if ``path`` exists, so two processes starting together
    agree on one file, and ``path`` never exists empty or half-written (a full disk used to
    leave an empty key file that every later start refused)."""
    _parent_dir(path)
    _remove_stale_temps(path)
    tmp = _written_temp(path, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links here (FAT, some network shares): created in place
        return _create_in_place(path, data)
    finally:
        _unlink_quietly(tmp)
    _fsync_dir(path.parent)  # the new name survives a power cut (records get sealed with it)
    return True


def empty_file_text(path: Path, what: str) -> str:
    """Why an empty ``what`` file the hub makes for itself cannot be used, and the way out:
    an older hub's first start that could not write it (a full disk) left it empty. Nothing
    was ever made with it (no key of 0 bytes seals anything, no token of none is accepted)."""
    return (f"the {what} file {path} is empty (0 bytes): a first start that could not write "
            "it (a full disk?) left it, and nothing was ever made with it; as it is empty, "
            "delete it and start the hub again (a new one is made)")


STALE_TEMP_S = 60.0  # a temp this old is no start's under way: a killed one's


def _remove_stale_temps(path: Path) -> None:
    """Temps a start killed between writing and removing them left beside ``path``: each a
    copy of a key or token (0600), removed rather than kept beside it for good."""
    now = time.time()
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_TEMP_S:
                stale.unlink()


def _written_temp(path: Path, data: bytes) -> str:
    """A new private (0600, mkstemp) file beside ``path`` holding ``data``, fsynced."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    os.close(fd)
    return tmp


def _create_in_place(path: Path, data: bytes) -> bool:
    """``create_private_once`` without hard links: O_EXCL, and the file removed again if its
    bytes cannot all be written (it is ours: this call created it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return False
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(path)
        raise
    os.close(fd)
    _fsync_dir(path.parent)
    return True


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` may write less than asked (a signal, a nearly full disk): loop."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # a regular file never answers 0 for bytes to write: do not spin
            raise OSError("nothing was written")
        view = view[written:]


def _unlink_quietly(name: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # a folder cannot be opened on Windows
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
