"""Save a rendered PDF (a receipt, an end-of-day report) where the teller chose: written
privately (0600, atomic) off the UI thread, because that folder may be a slow network share
or a USB stick. The PDF itself is rendered before, on the UI thread (Qt paints there)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from teller_app.core.private_files import write_private
from teller_app.ui.async_op import OpRunner


def save_pdf(ops: OpRunner, dialog: QWidget, status: QLabel, path: str, data: bytes,
             on_saved: Callable[[str], None], disable: Iterable[QWidget] = ()) -> None:
    """Write ``data`` to ``path``; ``status`` says where it went or why it could not."""
    translate = QCoreApplication.translate

    def done(written: Path) -> None:
        status.setText(QCoreApplication.translate("PdfSave", "Saved to {path}").format(
            path=str(written)))
        on_saved(str(written))

    def failed(exc: BaseException) -> None:
        error = (exc.strerror if isinstance(exc, OSError) else None) or type(exc).__name__
        status.setText(translate("PdfSave", "Could not save: {error}").format(error=error))

    ops.run(lambda: asyncio.to_thread(write_private, Path(path), data), on_success=done,
            on_error=failed, parent=dialog, network=False, disable=disable,
            label=translate("PdfSave", "Saving the PDF"))
