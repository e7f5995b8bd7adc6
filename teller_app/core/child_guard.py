"""Child processes (the embedded sandbox, the hub) never outlive the app.

Three layers, because no single one covers every OS and every way the app can end:

* Linux: ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` in the child right after fork. The kernel sends
  it when the *thread* that forked the child ends, so every child is forked from one
  long-lived launcher thread, never from a short-lived worker (``asyncio.to_thread``).
* Every POSIX OS (macOS has no PDEATHSIG): the child runs a parent-pid watchdog thread. The
  child is started as ``python -m teller_app.core.child_guard <module> <args>``, which starts
  the watchdog and then runs ``<module>`` as ``__main__`` in the same process; the frozen app
  calls ``start_parent_watchdog()`` itself. ``TELLER_PARENT_PID`` names the parent.
* Windows: the child is put in a Job Object with KILL_ON_JOB_CLOSE; the job handle lives as
  long as the app, and the OS closes it (killing the job) however the app ends.

``stop_leftover(pid, marker)`` ends a child a crashed earlier run left behind (only when its
command line shows it really is ours) before a new one is started.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import runpy
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ENV_PARENT_PID = "TELLER_PARENT_PID"
WATCH_INTERVAL = 0.25  # seconds between parent checks in the child
GRACE = 10.0  # after SIGTERM, how long a child may take to shut down before SIGKILL
_PR_SET_PDEATHSIG = 1

# One thread that forks every child and lives as long as the app (see module docstring).
_launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="child-launcher")
_job_handle: int | None = None
_job_lock = threading.Lock()


# --- parent side ----------------------------------------------------------------------------
def guarded_command(module: str, *args: str) -> list[str]:
    """``python -m <module> args`` with the parent watchdog in front (not for frozen apps)."""
    return [sys.executable, "-m", "teller_app.core.child_guard", module, *args]


def guarded_popen(cmd: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen`` tied to this process (see module docstring). Blocking-safe to call
    from any thread: the fork itself happens on the launcher thread."""
    env = dict(kwargs.pop("env", None) or os.environ)
    env[ENV_PARENT_PID] = str(os.getpid())
    kwargs["env"] = env
    if sys.platform.startswith("linux"):
        kwargs["preexec_fn"] = _pdeathsig_preexec(os.getpid())
    if sys.platform == "win32":
        flags = int(kwargs.pop("creationflags", 0))
        kwargs["creationflags"] = flags | 0x00000004  # CREATE_SUSPENDED until in the job
    def spawn() -> subprocess.Popen[Any]:
        return subprocess.Popen(cmd, **kwargs)

    proc = _launcher.submit(spawn).result()
    if sys.platform == "win32":
        _windows_adopt(proc)
    return proc


def _pdeathsig_preexec(parent_pid: int) -> Any:
    # Resolved here, in the parent: the child between fork and exec must not load libraries.
    try:
        prctl: Any = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None  # the watchdog still covers it
    sigterm = int(signal.SIGTERM)

    def preexec() -> None:  # runs in the child between fork and exec: no locks, no logging
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, sigterm, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), sigterm)

    return preexec


def _windows_adopt(proc: subprocess.Popen[Any]) -> None:  # pragma: no cover - Windows only
    global _job_handle
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]

    class IoCounters(ctypes.Structure):
        _fields_ = [(n, ctypes.c_ulonglong) for n in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class BasicLimits(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", wintypes.DWORD),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", wintypes.DWORD),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", wintypes.DWORD),
            ("SchedulingClass", wintypes.DWORD),
        ]

    class ExtendedLimits(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", BasicLimits),
            ("IoInfo", IoCounters),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    with _job_lock:
        if _job_handle is None:
            job = kernel32.CreateJobObjectW(None, None)
            if not job:
                raise OSError(_last_error(), "CreateJobObjectW failed")
            info = ExtendedLimits()
            info.BasicLimitInformation.LimitFlags = 0x00002000  # KILL_ON_JOB_CLOSE
            extended_limit_information = 9
            if not kernel32.SetInformationJobObject(
                job, extended_limit_information, ctypes.byref(info), ctypes.sizeof(info)
            ):
                raise OSError(_last_error(), "SetInformationJobObject failed")
            _job_handle = int(job)  # never closed: the OS closes it when the app ends
    handle = int(proc._handle)  # type: ignore[attr-defined]
    if not kernel32.AssignProcessToJobObject(_job_handle, handle):
        proc.kill()
        raise OSError(_last_error(), "AssignProcessToJobObject failed")
    _resume_threads(proc.pid)


def _last_error() -> int:  # pragma: no cover - Windows only
    # a platform probe, not our object: ctypes has get_last_error on Windows only
    return int(getattr(ctypes, "get_last_error", lambda: 0)())


def _resume_threads(pid: int) -> None:  # pragma: no cover - Windows only
    """Resume a CREATE_SUSPENDED child (ntdll's NtResumeProcess resumes every thread)."""
    ntdll = ctypes.WinDLL("ntdll")  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    process_suspend_resume = 0x0800
    handle = kernel32.OpenProcess(process_suspend_resume, False, pid)
    try:
        ntdll.NtResumeProcess(handle)
    finally:
        kernel32.CloseHandle(handle)


# --- leftovers from a crashed run -------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def _cmdline(pid: int) -> str | None:
    """The command line of ``pid``, or None when this OS does not tell (no /proc)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except OSError:
        pass
    with contextlib.suppress(ImportError, Exception):
        import psutil  # no stubs: ignore_missing_imports in pyproject.toml

        return " ".join(psutil.Process(pid).cmdline())
    return None


def stop_leftover(pid: int, marker: str, *, timeout: float = GRACE) -> bool:
    """End ``pid`` if it is alive and its command line contains ``marker`` (our child from an
    earlier run; a recycled pid of something else is never touched). True if one was ended."""
    if pid == os.getpid() or not pid_alive(pid):
        return False
    cmdline = _cmdline(pid)
    if cmdline is None or marker not in cmdline + " ":
        return False
    sig = signal.SIGTERM
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    while pid_alive(pid):
        if time.monotonic() > deadline:
            if sig == signal.SIGTERM and sys.platform != "win32":
                sig = signal.SIGKILL
                deadline = time.monotonic() + timeout
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
                continue
            return False
        time.sleep(0.05)  # polling a foreign process: no handle to wait on
    return True


# --- child side -------------------------------------------------------------------------------
def start_parent_watchdog() -> threading.Thread | None:
    """In a child: end this process when the parent named by ``TELLER_PARENT_PID`` is gone
    (SIGTERM to ourselves for a clean shutdown, SIGKILL after ``GRACE``)."""
    try:
        parent = int(os.environ.get(ENV_PARENT_PID, ""))
    except ValueError:
        return None
    thread = threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True)
    thread.start()
    return thread


def _parent_gone(parent: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return not _windows_pid_alive(parent)
    return os.getppid() != parent


def _watch(parent: int) -> None:
    while not _parent_gone(parent):
        time.sleep(WATCH_INTERVAL)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        os._exit(0)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE)
    os.kill(os.getpid(), signal.SIGKILL)


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    process_query_limited_information = 0x1000
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def main(argv: list[str]) -> None:
    """``python -m teller_app.core.child_guard <module> <args...>``."""
    if not argv:
        raise SystemExit("usage: python -m teller_app.core.child_guard MODULE [ARGS...]")
    start_parent_watchdog()
    sys.argv = [argv[0], *argv[1:]]
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
