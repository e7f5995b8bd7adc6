"""``teller-app`` entry point: arguments, start-up timing, and the sandbox re-dispatch.

No Qt import at module level: ``--run-sandbox`` (the frozen app re-entering itself as the
embedded sandbox) must not pay for, or be disturbed by, Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# Fallback start time when psutil is absent: as early as this module is imported.
_IMPORT_TIME = time.time()


def process_start_time() -> float:
    """When this process was created (epoch seconds): what "ready in N ms" counts from."""
    try:
        return time.time() - _linux_process_age()
    except (OSError, ValueError, AttributeError, IndexError):  # not Linux
        pass
    try:
        import psutil

        return float(psutil.Process().create_time())
    except Exception:
        return _IMPORT_TIME


def _linux_process_age() -> float:
    """Seconds since this process was created, from the kernel's clock since boot. (psutil's
    create_time adds the boot time, which Linux gives in whole seconds: up to a second off.)
    The start is rounded down to a clock tick (10 ms), so this is never less than the age."""
    with open("/proc/self/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime, in ticks
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


def release_qt() -> None:
    """The frozen bundle holds Qt back until the embedded children are spawned
    (packaging/rthook_children.py); from here on the desk imports it."""
    if "PySide6.QtCore" in sys.modules and sys.modules["PySide6.QtCore"] is None:
        del sys.modules["PySide6.QtCore"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="teller-app", description="Teller: the branch desktop app")
    p.add_argument("--profile", help="connect to this saved platform profile")
    p.add_argument("--lang", choices=("uk", "en"), help="interface language")
    p.add_argument("--data-dir", help="data directory (default: the per-user data dir)")
    p.add_argument("--smoke-test", action="store_true",
                   help="start against the sandbox, sign in, show results, print the time, exit")
    p.add_argument("--smoke-timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    args, qt_args = p.parse_known_args(argv)
    args.qt_args = qt_args
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from teller_app.core.hardening import harden_process

    harden_process()  # umask 077 + no core dumps, before any file is written (children too)
    if argv[:1] == ["--run-sandbox"]:
        # The only import of the sandbox in the client (frozen bundle re-entry).
        from teller_app.core.child_guard import start_parent_watchdog
        from teller_app.sandbox.__main__ import main as sandbox_main

        start_parent_watchdog()  # ends this child when the app is gone (macOS has no pdeathsig)
        return int(sandbox_main(argv[1:]) or 0)
    if argv[:1] == ["--run-hub"]:
        # Likewise the embedded Teller Hub (core/embedded_hub.hub_command).
        from teller_app.core.child_guard import start_parent_watchdog
        from teller_app.hub.__main__ import main as hub_main

        start_parent_watchdog()  # ends this child when the app is gone (macOS has no pdeathsig)
        return int(hub_main(argv[1:]) or 0)
    if argv[:1] == ["doctor"]:  # the integration-day check: no Qt at all
        from teller_app.core.doctor_cli import main as doctor_main

        return doctor_main(argv[1:])
    args = parse_args(argv)
    _secure_dirs(args)
    from teller_app.ui.start_early import choose_dirs, start_embedded_early

    dirs = choose_dirs(args)
    early = start_embedded_early(args, dirs)  # before Qt loads: see ui/start_early.py
    release_qt()
    from teller_app.ui.start_run import run

    # The process start time is asked for after the first paint: the kernel keeps it, so
    # asking later gives the same answer.
    return run(args, started_at=process_start_time, dirs=dirs, early=early)


def _secure_dirs(args: argparse.Namespace) -> None:
    """Files an older version wrote readable by others are made owner-only (0600 / 0700)."""
    from pathlib import Path

    from teller_app.core import app_paths
    from teller_app.core.hardening import secure_tree

    data = Path(args.data_dir) if args.data_dir else app_paths.data_dir()
    for root in (app_paths.config_dir(), data):
        secure_tree(root)


if __name__ == "__main__":
    sys.exit(main())
