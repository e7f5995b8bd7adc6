"""One Teller per profile per OS user: an OS file lock held for the life of the process.

The lock is released by the OS however the process ends (crash, kill -9), so a stale lock
file never blocks the next start."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import IO

from teller_app.core.app_paths import data_dir


class AnotherInstanceRunning(RuntimeError):
    """Another Teller process of this OS user already uses this profile."""

    def __init__(self, profile_name: str, pid: str) -> None:
        super().__init__(f"another Teller (pid {pid or '?'}) is using profile {profile_name!r}")
        self.profile_name = profile_name
        self.pid = pid


_held: dict[str, IO[str]] = {}
_lock = threading.Lock()


def lock_path(profile_name: str, base: Path | None = None) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in profile_name) or "_"
    return (base or data_dir()) / "locks" / f"{safe}.lock"


def acquire(profile_name: str, base: Path | None = None) -> None:
    """Hold the profile's lock for this process (re-entrant); raise AnotherInstanceRunning."""
    path = lock_path(profile_name, base)
    key = str(path)
    with _lock:
        if key in _held:
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open until exit
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        if not _try_lock(fh):
            fh.seek(0)
            pid = fh.read().strip()[:20]
            fh.close()
            raise AnotherInstanceRunning(profile_name, pid)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        _held[key] = fh


def release(profile_name: str, base: Path | None = None) -> None:
    with _lock:
        fh = _held.pop(str(lock_path(profile_name, base)), None)
    if fh is not None:
        fh.close()  # closing the descriptor releases the OS lock


def _try_lock(fh: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
