"""The receipt on screen: a preview, Print… (system dialog; also the standard Print key,
Ctrl+P) and Save as PDF…."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.receipt import Receipt
from teller_app.ui.async_op import OpRunner
from teller_app.ui.pdf_save import ask_pdf_path, save_pdf
from teller_app.ui.print_job import PrintJobDialog, warm_printers, when_printers_known
from teller_app.ui.receipt import print_receipt, receipt_html, receipt_pdf
from teller_app.ui.untrusted import plain_label


class ReceiptDialog(QDialog):
    saved = Signal(str)  # the PDF's path
    printed = Signal()

    def __init__(self, receipt: Receipt, ops: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.receipt, self.ops = receipt, ops
        self.setObjectName("receiptDialog")
        self.setWindowTitle(self.tr("Receipt"))
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("receiptPreview")
        self.preview.setHtml(receipt_html(receipt))
        self.preview.setMinimumSize(460, 520)
        self.status = plain_label(QLabel(self))  # a path, an error
        self.status.setObjectName("receiptStatus")
        self.print_button = QPushButton(self.tr("&Print…"), self)
        self.print_button.setObjectName("printReceipt")
        # The standard Print key too: the button's own shortcut is its Alt+letter. Nameless,
        # so the main window's sheet (which lists only its own keys) does not list it.
        self.print_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self,
                                   self.print_button.click)
        self.print_button.setToolTip(
            self.print_key.key().toString(QKeySequence.SequenceFormat.NativeText))
        self.save_button = QPushButton(self.tr("&Save as PDF…"), self)
        self.save_button.setObjectName("saveReceipt")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_it)
        self.save_button.clicked.connect(self.choose_pdf_path)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.print_dialog: PrintJobDialog | None = None
        self.file_dialog: QFileDialog | None = None
        warm_printers()  # known by the time Print… is pressed, asked off the UI thread

    def print_it(self) -> None:
        """Whether a printer is installed is known (asked as the dialog opened, off the UI
        thread): the system dialog opens now; else it opens once the answer came, never
        with the desk waiting on a slow print server."""
        when_printers_known(self.ops, self, self._open_print, disable=(self.print_button,))

    def _open_print(self, none_installed: bool) -> None:
        if none_installed:  # said before the dialog, which offers only printing to a file
            self.status.setText(self.tr(
                "No printer is installed on this computer: the receipt can only be printed "
                "to a PDF file. Save as PDF… does the same."))
        else:
            self.status.clear()
        dialog = self.print_dialog = print_receipt(self.receipt, self, self.ops)
        dialog.sent.connect(self._printed)
        dialog.failed.connect(self._not_printed)

    def _printed(self, path: str) -> None:
        if path:  # "Print to File"
            self.status.setText(self.tr("Printed to {path}").format(path=path))
        else:
            self.status.setText(self.tr("Sent to the printer."))
        self.printed.emit()

    def _not_printed(self, reason: str) -> None:
        self.status.setText(self.tr(
            "The receipt was not printed: {reason}. Use Save as PDF… to keep it, or print "
            "again.").format(reason=reason))
        self.save_button.setDefault(True)  # Enter now saves it
        self.save_button.setFocus()

    def choose_pdf_path(self) -> None:
        self.file_dialog = ask_pdf_path(self, self.tr("Save the receipt"),
                                        f"{self.receipt.file_stem}.pdf",
                                        self.tr("PDF files (*.pdf)"), self.save_pdf)

    def save_pdf(self, path: str) -> None:
        save_pdf(self.ops, self, self.status, path, receipt_pdf(self.receipt), self.saved.emit,
                 disable=(self.save_button,))
