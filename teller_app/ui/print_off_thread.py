"""A print job whose document is made, laid out and painted off the UI thread (the till
report: a day of 1 000 operations froze the desk for a second in ``PrintJobDialog``).

``paint`` and ``pdf`` run in a worker (``asyncio.to_thread`` through ``OpRunner``): each
must make its ``QTextDocument`` there and use it only there (Qt: a document is reentrant, and
``QPainter`` paints on a ``QPrinter`` or a ``QPdfWriter`` in any one thread). The printer is
the dialog's: the dialog has finished with it once accepted, so the worker alone uses it.
Without an ``OpRunner`` (a script's dialog) it is ``PrintJobDialog`` as it was.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from teller_app.core.private_files import write_private
from teller_app.ui.pdf_save import error_text
from teller_app.ui.print_job import PrintJobDialog, file_of, printer_failed


class OffThreadPrintJob(PrintJobDialog):
    """``PrintJobDialog`` with the paper and the "Print to File" paths in a worker."""

    def _deliver(self) -> None:
        if self.ops is None:
            super()._deliver()
            return
        printer = self.printer_ref
        path = file_of(printer)
        work: Callable[[], str]
        if path is None:
            paint = self.paint

            def work() -> str:
                error = printer_failed(printer, paint)
                if error:
                    raise _PrinterRefused(error)
                return ""
            label = QCoreApplication.translate("PrintJob", "Printing")
        else:
            if not path.strip() or path.endswith(("/", os.sep)):  # Qt's default: the home
                self.failed.emit(QCoreApplication.translate("PrintJob",  # folder
                                                            "no file name was given"))
                return
            target, pdf = Path(path), self.pdf

            def work() -> str:
                return str(write_private(target, pdf()))
            label = QCoreApplication.translate("PdfSave", "Saving the PDF")
        self.ops.run(lambda: asyncio.to_thread(work), on_success=self._done,
                     on_error=self._refused, parent=self, network=False, label=label)

    def _done(self, path: str) -> None:
        self.sent.emit(path)

    def _refused(self, exc: BaseException) -> None:
        self.failed.emit(exc.reason if isinstance(exc, _PrinterRefused) else error_text(exc))


class _PrinterRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
