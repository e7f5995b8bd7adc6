"""The serving hub's process: no core dumps, not dumpable, private files by default.

The process holds the master key, the admin token and customers' secrets in memory: a core
file or a same-user ``ptrace``/``/proc/PID/mem`` reader would carry them off. Best effort, on
whatever the OS offers; each step reports whether it held (``Hardened``), for the log.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

PR_SET_DUMPABLE = 4  # <linux/prctl.h>


@dataclass(frozen=True)
class Hardened:
    no_core: bool
    not_dumpable: bool
    umask: bool


def harden_process() -> Hardened:
    """RLIMIT_CORE 0 (soft and hard), PR_SET_DUMPABLE 0 (Linux), umask 077. Never raises."""
    return Hardened(no_core=_no_core_dumps(), not_dumpable=_not_dumpable(),
                    umask=_private_umask())


def _no_core_dumps() -> bool:
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):
        return False
    return True


def _not_dumpable() -> bool:
    """Also blocks same-user ptrace and makes /proc/PID/{mem,environ,...} root's only."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # the process's own symbols (libc among them): no ctypes.util.find_library, which
        # runs ldconfig in a child process
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _private_umask() -> bool:
    if os.name != "posix":
        return False
    os.umask(0o077)
    return True
