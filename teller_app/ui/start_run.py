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


def _track_async_generators(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """What ``BaseEventLoop.run_forever`` does and qasync's does not: the loop learns of every
    async generator, so ``shutdown_asyncgens`` can close the ones left open (an event stream's
    readers) while it still runs, not the garbage collector after it stopped."""
    # private hooks of asyncio's base loop (qasync's loops are one): skipped if they go
    firstiter = getattr(loop, "_asyncgen_firstiter_hook", None)
    finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
    before = sys.get_asyncgen_hooks()
    if firstiter is not None and finalizer is not None:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)
    return lambda: sys.set_asyncgen_hooks(*before)  # the closed loop must not be called


async def _run_to_end(loop: asyncio.AbstractEventLoop, controller: AppController) -> int:
    """One run of the loop, start to exit. qasync's ``run_until_complete`` processes Qt's
    pending events once more after the loop stopped, outside it: an op started by the same
    signal that ended the app (the smoke test's first results start the demo onboarding)
    must not get its first step there, so the ops unwind before this returns."""
    code = await controller.done
    await controller.ops.aclose()
    await loop.shutdown_asyncgens()
    return code


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
    untrack_async_generators = _track_async_generators(loop)
    crash_handler.install(loop)
    controller = AppController(app, args, started_at, dirs=dirs, early=early)
    try:
        # No loop callback before the first paint (see AppController.begin).
        shown = controller.begin()
    except Exception as exc:
        controller.start_failed(exc)
        shown = True  # nothing to start
    if shown:
        # The window's first paint now, before the loop's first callback: qasync's timer
        # handling reads Qt's namespace, whose ~100 enums take ~20 ms to build. (Where the
        # window system has not exposed the window yet, the paint simply comes later.) A loop
        # callback already due (none of the app's: a driver's, a test's) runs in it as in the
        # running loop, as it would a moment later.
        running = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(loop)
        try:
            app.processEvents()
        finally:
            asyncio.events._set_running_loop(running)
    from teller_app.ui import zone_check  # after the first paint, as the zone read

    zone_check.check_at_start(controller)  # Kyiv's zone read after the first paint
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
            code = loop.run_until_complete(_run_to_end(loop, controller))
    finally:
        untrack_async_generators()
        if timeout is not None:
            timeout.cancel()
        controller.cleanup()
        if listener is not None:
            listener.stop()
    return int(code)
