"""Save a PDF (a receipt, an end-of-day report) where the teller chose (``ask_pdf_path`` asks
where), written privately (0600, atomic) off the UI thread, because that folder may be a slow
network share or a USB stick. A receipt (one page) is rendered on the UI thread and only its
bytes are written in the worker (``save_pdf``); the end-of-day report, which takes a second to
lay out, is made, rendered and written in the worker (``make_pdf``: its own document there,
as ``print_off_thread`` prints it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from teller_app.core.private_files import write_private
from teller_app.ui.async_op import OpRunner


def error_text(exc: BaseException) -> str:
    """Why a file could not be written, in the system's words (or the error's kind)."""
    return (exc.strerror if isinstance(exc, OSError) else None) or type(exc).__name__


def ask_pdf_path(parent: QWidget, title: str, name: str, file_filter: str,
                 chosen: Callable[[str], None]) -> QFileDialog:
    """The save dialog (window-modal, ``open()``): ``chosen(path)`` once a file is picked."""
    dialog = QFileDialog(parent, title, name, file_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("pdf")
    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog


def save_pdf(ops: OpRunner, dialog: QWidget, status: QLabel, path: str, data: bytes,
             on_saved: Callable[[str], None], disable: Iterable[QWidget] = ()) -> None:
    """Write ``data`` to ``path``; ``status`` says where it went or why it could not."""
    target = Path(path)
    make_pdf(ops, dialog, status, lambda: write_private(target, data), on_saved, disable)


def make_pdf(ops: OpRunner, dialog: QWidget, status: QLabel, write: Callable[[], Path],
             on_saved: Callable[[str], None], disable: Iterable[QWidget] = ()) -> None:
    """``write()`` in a worker (it makes the PDF and writes it privately, returning where);
    ``status`` says where it went or why it could not."""
    translate = QCoreApplication.translate

    def done(written: Path) -> None:
        status.setText(translate("PdfSave", "Saved to {path}").format(path=str(written)))
        on_saved(str(written))

    def failed(exc: BaseException) -> None:
        status.setText(translate("PdfSave", "Could not save: {error}").format(
            error=error_text(exc)))

    ops.run(lambda: asyncio.to_thread(write), on_success=done, on_error=failed,
            parent=dialog, network=False, disable=disable,
            label=translate("PdfSave", "Saving the PDF"))
