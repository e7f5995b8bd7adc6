"""Uncaught exceptions (a slot, a callback, a loop task) are logged and shown; the app goes on.

The dialog is opened with ``open()`` (never ``exec()``: a nested loop inside a qasync callback
would re-enter the event loop) and only one is shown at a time so a failing timer cannot
flood the screen. While the desk is locked the dialog is parked with the locked employee's
windows (ui/lock_guard) and still counts as open. The log gets the exception's type and
traceback; its message (it may name a customer) only redacted and scrubbed of personal data.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger("teller_app.crash")

_open_dialog: QMessageBox | None = None
reported: list[BaseException] = []  # tests look here


def report_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
) -> None:
    global _open_dialog
    reported.append(exc)
    del reported[:-20]
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))  # its lines marked
    if QApplication.instance() is None or issubclass(exc_type, KeyboardInterrupt):
        return
    # Imported here: the handler is installed before the sign-in window's first paint, and
    # these load what that paint does not need (lock_guard reads Qt's namespace, ~20 ms).
    try:
        from PySide6.QtWidgets import QMessageBox

        from teller_app.ui.error_text import safe_text
        from teller_app.ui.lock_guard import is_parked
    except Exception:  # the interpreter shutting down, a broken install: the log has it
        return

    if _open_dialog is not None and (_open_dialog.isVisible() or is_parked(_open_dialog)):
        return  # one at a time, shown or waiting for the unlock
    parent = QApplication.activeWindow()
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("CrashHandler", "Something went wrong"))
    box.setText(
        QCoreApplication.translate(
            "CrashHandler",
            "An unexpected error happened. Your work is kept and Teller keeps running.\n"
            "If it happens again, tell support what you were doing.",
        )
    )
    box.setDetailedText(safe_text("".join(traceback.format_exception_only(exc_type, exc))))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    _open_dialog = box
    box.open()


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    report_exception(exc_type, exc, tb)


def _loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    if isinstance(exc, asyncio.CancelledError):
        return
    if exc is None:
        log.error("event loop: %s", context.get("message"))
        return
    report_exception(type(exc), exc, exc.__traceback__)


def install(loop: asyncio.AbstractEventLoop | None = None) -> None:
    sys.excepthook = _excepthook
    if loop is not None:
        loop.set_exception_handler(_loop_exception_handler)
