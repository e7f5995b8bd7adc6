"""The app's event loop: Qt + qasync around ``AppController`` (``ui/startup.py``), from the
first paint to a clean exit."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from teller_app.core import app_paths
from teller_app.ui import crash_handler
from teller_app.ui.start_early import StartDirs
from teller_app.ui.start_logging import configure_logging
from teller_app.ui.startup import AppController

if TYPE_CHECKING:
    from teller_app.core.embedded_start import EarlyStart


def run(args: argparse.Namespace, started_at: float | Callable[[], float], *,
        dirs: StartDirs | None = None, early: EarlyStart | None = None) -> int:
    import qasync

    # A smoke test logs to a file only when it was given its own data dir.
    log_base = Path(args.data_dir).resolve() if args.data_dir else None
    listener = configure_logging(
        None if args.smoke_test and log_base is None else app_paths.log_dir(log_base))
    from teller_app.ui import theme

    if QApplication.instance() is None:
        theme.set_high_dpi_policy()  # only before the application exists
    app = QApplication.instance() or QApplication([sys.argv[0], *args.qt_args])
    assert isinstance(app, QApplication)
    app.setWindowIcon(theme.app_icon())  # windows, dialogs and the tray
    from teller_app.ui import a11y

    a11y.install(app)  # buddy labels and accessible names on every window shown
    app.setApplicationName("Teller")
    app.setOrganizationName("Prozora")
    app.setQuitOnLastWindowClosed(False)  # between sign-in and main window no window shows
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    crash_handler.install(loop)
    controller = AppController(app, args, started_at, dirs=dirs, early=early)
    try:
        # No loop callback before the first paint (see AppController.begin).
        shown = controller.begin()
    except Exception as exc:
        controller.start_failed(exc)
        shown = True  # nothing to start
    timeout: asyncio.TimerHandle | None = None
    if args.smoke_test:
        def timed_out() -> None:
            print("smoke test timed out", file=sys.stderr, flush=True)
            controller.quit(1)

        timeout = loop.call_later(args.smoke_timeout, timed_out)
    code = 1
    try:
        with loop:
            if not shown:
                loop.create_task(controller.start())
            code = loop.run_until_complete(controller.done)
            # Ops unwind on the loop while it still runs (none resumes after it stops).
            loop.run_until_complete(controller.ops.aclose())
    finally:
        if timeout is not None:
            timeout.cancel()
        controller.cleanup()
        if listener is not None:
            listener.stop()
    return int(code)
