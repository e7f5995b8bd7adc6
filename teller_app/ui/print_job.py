"""Printing a document (a receipt, the till report) so that the teller learns whether it
printed: the system print dialog opened with ``open()`` (never ``exec()``), then

- on paper: the pages painted on the printer, and a printer that could not start or ended in
  error (no printer, an unwritable output) is said (``failed``), never "sent";
- "Print to File (PDF)": the document's own PDF (as Save as PDF… renders it) written
  privately (0600, atomic, off the UI thread), never Qt's file, which is world-readable.

``paint_pages`` paints a paginated ``QTextDocument`` page by page, with a footer of its own
on each (the till report's "page n of N"): the same for ``QPdfWriter`` and ``QPrinter``.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QPagedPaintDevice,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from teller_app.core.private_files import write_private
from teller_app.ui.async_op import OpRunner

# paints the document on a printer; False when nothing could be painted
Paint = Callable[[QPagedPaintDevice], bool]
# (page from 1, pages) -> the footer of that page, a document as wide as the page's body
Footer = Callable[[int, int], QTextDocument]


# An answer older than this is asked again, in the background (a printer added meanwhile).
PRINTERS_FRESH_S = 60.0


class _Printers:
    """The last answer to "is no printer installed?" (CUPS may be slow or unreachable: it
    is asked in a worker thread, never on the UI thread) and the question under way."""

    lock = threading.Lock()
    answer: bool | None = None  # None: never answered yet
    at = 0.0  # time.monotonic() of the answer
    asking: Future[bool] | None = None


def _ask_in_background() -> Future[bool]:
    """Ask the system for its printers in a daemon thread (one question at a time; a hung
    CUPS never holds the desk's exit); the future answers whether no printer is installed."""
    with _Printers.lock:
        if _Printers.asking is not None:
            return _Printers.asking
        future = _Printers.asking = Future()
        future.set_running_or_notify_cancel()  # a waiter cancelled never cancels the answer

    def work() -> None:
        try:
            answer = not QPrinterInfo.availablePrinters()
        except BaseException as exc:  # the future says it; the next question asks again
            with _Printers.lock:
                _Printers.asking = None
            future.set_exception(exc)
            return
        with _Printers.lock:
            _Printers.answer, _Printers.at, _Printers.asking = answer, time.monotonic(), None
        future.set_result(answer)

    threading.Thread(target=work, name="printer-check", daemon=True).start()
    return future


def known_no_printer() -> bool | None:
    """The last answer, at once (None: not known yet); a stale or missing one is asked
    again in the background. Never blocks."""
    with _Printers.lock:
        answer, at = _Printers.answer, _Printers.at
    if answer is None or time.monotonic() - at > PRINTERS_FRESH_S:
        _ask_in_background()
    return answer


async def ask_no_printer() -> bool:
    """Whether no printer is installed, waited for off the UI thread when none is known yet."""
    known = known_no_printer()
    if known is not None:
        return known
    return await asyncio.wrap_future(_ask_in_background())


def when_printers_known(ops: OpRunner, parent: QWidget, then: Callable[[bool], None],
                        disable: tuple[QWidget, ...] = ()) -> None:
    """``then(no printer installed)`` at once when the answer is known, else once it came (asked off
    the UI thread; not known at all: False, the system dialog shows what there is)."""
    known = known_no_printer()
    if known is not None:
        then(known)
        return
    ops.run(ask_no_printer, on_success=then, on_error=lambda _exc: then(False),
            parent=parent, network=False, key=f"printers:{id(parent)}", disable=disable,
            label=QCoreApplication.translate("ReceiptDialog", "Looking for printers"))


def warm_printers() -> None:
    """Ask for the printers now, in the background, so that Print… knows at once (at the
    desk's start, or as a dialog that may print opens)."""
    known_no_printer()


def paint_pages(document: QTextDocument, device: QPagedPaintDevice,
                footer: Footer | None = None) -> bool:
    """``document`` (a fixed page size, ``receipt.print_document``) page by page on
    ``device``, scaled to its paintable area as ``QTextDocument.print_`` does; under each page
    its ``footer`` when given (the strip below the document's page). A printer's page range
    (the dialog's "Pages from … to …") is kept. False when the painter could not start (an
    unwritable output file, a printer gone) or a page could not be added."""
    painter = QPainter()
    if not painter.begin(device):
        return False
    try:
        body = document.pageSize()
        pages = document.pageCount()
        strip = footer(1, pages).pageSize().height() if footer is not None else 0.0
        scale = min(device.width() / body.width(), device.height() / (body.height() + strip))
        first, last = 1, pages
        if isinstance(device, QPrinter) and device.fromPage() > 0:
            first = max(1, device.fromPage())
            last = min(pages, device.toPage() or pages)
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Text, Qt.GlobalColor.black)
        for page in range(first, last + 1):
            if page > first and not device.newPage():
                return False
            top = (page - 1) * body.height()
            painter.save()
            painter.scale(scale, scale)
            painter.translate(0, -top)
            view = QRectF(0, top, body.width(), body.height())
            painter.setClipRect(view)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = view
            context.palette = palette
            document.documentLayout().draw(painter, context)
            painter.restore()
            if footer is not None:
                painter.save()
                painter.scale(scale, scale)
                painter.translate(0, body.height())
                footer(page, pages).drawContents(painter)
                painter.restore()
    finally:
        ended = painter.end()
    return ended


def printer_failed(printer: QPrinter, paint: Paint) -> str:
    """Paint on ``printer``; "" when the job went to it, else why not (translated)."""
    if not paint(printer) or printer.printerState() in (QPrinter.PrinterState.Error,
                                                        QPrinter.PrinterState.Aborted):
        return QCoreApplication.translate("PrintJob", "the printer did not accept it")
    return ""


def file_of(printer: QPrinter) -> str | None:
    """The file "Print to File" was given (maybe ""), or None when it goes to a printer."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat or printer.outputFileName():
        return printer.outputFileName()
    return None


def _error_text(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or type(exc).__name__


class PrintJobDialog(QPrintDialog):
    """The system print dialog for one document: accepted, the document goes to the printer
    or its PDF to the chosen file, and ``sent`` or ``failed`` says which happened."""

    sent = Signal(str)  # "" on paper; the PDF's path when printed to a file
    failed = Signal(str)  # why nothing was printed (translated)

    def __init__(self, printer: QPrinter, paint: Paint, pdf: Callable[[], bytes],
                 ops: OpRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(printer, parent)
        self.printer_ref = printer  # kept alive with the dialog
        self.paint, self.pdf, self.ops = paint, pdf, ops
        self.accepted.connect(self._deliver)

    def open_it(self) -> None:
        # QDialog's open(): PySide6's QPrintDialog.open takes only (receiver, member) and
        # raised a TypeError (Enter presses Print, the receipt's default button)
        QDialog.open(self)

    def _deliver(self) -> None:
        printer = self.printer_ref
        path = file_of(printer)
        if path is None:
            error = printer_failed(printer, self.paint)
            if error:
                self.failed.emit(error)
            else:
                self.sent.emit("")
            return
        if not path.strip() or path.endswith(("/", os.sep)):  # Qt's default: the home folder
            self.failed.emit(QCoreApplication.translate("PrintJob", "no file name was given"))
            return
        data = self.pdf()
        if self.ops is None:  # a script's dialog: written here
            try:
                written = write_private(Path(path), data)
            except OSError as exc:
                self.failed.emit(_error_text(exc))
                return
            self.sent.emit(str(written))
            return
        self.ops.run(lambda: asyncio.to_thread(write_private, Path(path), data),
                     on_success=self._written, on_error=self._not_written, parent=self,
                     network=False, label=QCoreApplication.translate("PdfSave",
                                                                     "Saving the PDF"))

    def _written(self, path: Path) -> None:
        self.sent.emit(str(path))

    def _not_written(self, exc: BaseException) -> None:
        self.failed.emit(_error_text(exc))
