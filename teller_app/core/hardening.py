"""Process-wide hardening, applied first thing at start (before any file is written).

* ``umask 077``: every file the app (and its children, which inherit the umask: the embedded
  sandbox, the hub) creates is 0600 and every directory 0700 — logs, rotated logs, audit
  trail, cache, profiles, exports — without each writer having to remember.
* Core dumps off (``RLIMIT_CORE`` 0): a crash must not write decrypted pages, the cache key
  or a password from memory to disk.
* Not dumpable (Linux ``prctl(PR_SET_DUMPABLE, 0)``): other processes of the same user cannot
  attach a debugger or read ``/proc/PID/mem`` / ``environ`` (the cache key, a supervisor's
  password typed at this desk). Best effort; ``execve`` makes each child dumpable again.
* ``secure_tree``: files an older version left readable are tightened at start.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
import sys
from pathlib import Path

PRIVATE_UMASK = 0o077


def harden_process() -> None:
    if sys.platform == "win32":  # pragma: no cover - per-user AppData ACLs; no core files
        return
    os.umask(PRIVATE_UMASK)
    disable_core_dumps()
    make_undumpable()


def disable_core_dumps() -> None:
    if sys.platform == "win32":  # pragma: no cover
        return
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def make_undumpable() -> bool:
    """``prctl(PR_SET_DUMPABLE, 0)`` on Linux; True when the kernel took it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):  # no libc symbol (static or unusual builds)
        return False


def secure_tree(root: Path) -> int:
    """chmod every directory under ``root`` (and ``root``) 0700 and every file 0600; symlinks
    are left alone. Returns how many modes were changed."""
    if sys.platform == "win32" or not root.is_dir():  # pragma: no cover - Windows
        return 0
    if _shared(root):
        return 0  # e.g. /tmp given as a data dir: not ours to tighten (root would lock others out)
    changed = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name, mode in [(dirpath, 0o700)] + [
            (os.path.join(dirpath, f), 0o600) for f in filenames
        ]:
            with contextlib.suppress(OSError):
                st = os.lstat(name)
                if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
                    continue
                if stat.S_IMODE(st.st_mode) & 0o077:
                    os.chmod(name, stat.S_IMODE(st.st_mode) & mode)
                    changed += 1
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))
                       and not _shared(Path(dirpath, d))]
    return changed


def _shared(path: Path) -> bool:
    """A sticky or world-writable directory (/tmp and the like) belongs to everyone."""
    with contextlib.suppress(OSError):
        return bool(os.stat(path).st_mode & (stat.S_ISVTX | stat.S_IWOTH))
    return False
