"""Print… says whether the document printed. With no printer Qt offers only "Print to File
(PDF)" with the home folder as its file: Print wrote nothing (``QPainter::begin(): Returned
false``) and the receipt said "Sent to the printer." (the customer left without one); the
till report said nothing at all. Printed to a file, the PDF was Qt's, world-readable (0644);
it is now the receipt's own PDF, written privately (0600) as Save as PDF… writes it."""

from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QLineEdit, QPushButton

from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.core.till_models import EndOfDay, Till
from teller_app.platform.models import Payment
from teller_app.ui.receipt import receipt_document
from teller_app.ui.receipt_dialog import ReceiptDialog
from teller_app.ui.till_dialog import ReportDialog
from teller_app.ui.till_report import ReportContext


def _receipt() -> Any:
    payment = Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "12.50",
        "asset_code": "UAH", "category": "04", "purpose": "cash [ref:abc]",
        "status": "CONFIRMED", "created_at": "2026-12-05T08:00:00Z"})
    return build_receipt(payment, ReceiptContext("Demo Bank", "Київ", "Коваль", "Мельник",
                                                 "UA213223130000026007233566001"), "en")


def _print_to(qtbot: Any, dialog: Any, target: str) -> None:
    """Print… then, in the system dialog, the file ``target`` and Print (as the teller)."""
    button = next(b for b in dialog.findChildren(QPushButton)
                  if b.text().replace("&", "") == "Print…")
    button.click()
    printing = dialog.findChild(QPrintDialog)
    assert printing is not None
    qtbot.waitUntil(printing.isVisible, timeout=5000)
    edits = [e for e in printing.findChildren(QLineEdit) if e.isVisible()]
    assert edits, "the print dialog shows no output file"
    edits[0].setText(target)
    printing.accept()


@pytest.mark.parametrize("slash", ["", "/"])  # Qt's own default is the home folder with "/"
def test_a_receipt_printed_to_a_folder_says_it_was_not_printed(qtbot: Any, ops: Any,
                                                               tmp_path: Path,
                                                               slash: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    dialog = ReceiptDialog(_receipt(), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    printed: list[bool] = []
    dialog.printed.connect(lambda: printed.append(True))
    _print_to(qtbot, dialog, str(folder) + slash)
    qtbot.waitUntil(lambda: "was not printed" in dialog.status.text(), timeout=10000)
    text = dialog.status.text()
    assert text.startswith("The receipt was not printed: ") and "Save as PDF" in text, text
    assert "Sent to the printer" not in text and not printed
    assert list(folder.iterdir()) == [] and list(tmp_path.iterdir()) == [folder]
    assert dialog.save_button.isDefault()  # Enter now saves it


def test_the_till_report_says_it_was_not_printed(qtbot: Any, ops: Any, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    till = Till(id="t1", till_code="K-01", state="closed", teller="t@bank", branch_guid=None,
                open_total=Decimal("100"), expected=Decimal("100"), counted=Decimal("100"),
                over_short=Decimal(0), opened_at=1_700_000_000, closed_at=1_700_030_000)
    dialog = ReportDialog(EndOfDay(till, (), {}), ReportContext("Bank", "Kyiv-1", "Teller"), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    _print_to(qtbot, dialog, str(folder))
    qtbot.waitUntil(lambda: "was not printed" in dialog.status.text(), timeout=10000)
    assert dialog.status.text().startswith("The report was not printed: ")
    assert list(folder.iterdir()) == []


def test_a_printer_that_cannot_start_is_a_failure(qapp: Any, tmp_path: Path) -> None:
    """The paper path: a printer whose painter cannot begin (here its output is a folder)
    is said, not "sent"."""
    from teller_app.ui.print_job import paint_pages, printer_failed

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path))
    document = receipt_document(_receipt())
    assert printer_failed(printer, lambda device: paint_pages(document, device)) == \
        "the printer did not accept it"
    assert list(tmp_path.iterdir()) == []


def test_print_to_file_writes_the_receipt_privately(qtbot: Any, ops: Any,
                                                    tmp_path: Path) -> None:
    target = tmp_path / "receipt.pdf"
    dialog = ReceiptDialog(_receipt(), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    before = os.umask(0o022)  # the usual umask: Qt's own file came out 0644
    try:
        with qtbot.waitSignal(dialog.printed, timeout=10000):
            _print_to(qtbot, dialog, str(target))
    finally:
        os.umask(before)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().startswith(b"%PDF")
    assert dialog.status.text() == f"Printed to {target}"


@pytest.mark.skipif(bool(QPrinterInfo.availablePrinters()), reason="a printer is installed")
def test_no_printer_is_said_before_the_dialog(qtbot: Any, ops: Any) -> None:
    dialog = ReceiptDialog(_receipt(), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.print_button.click()
    assert dialog.status.text().startswith("No printer is installed on this computer")
    assert "Save as PDF" in dialog.status.text()
    printing = dialog.print_dialog
    assert printing is not None
    qtbot.waitUntil(printing.isVisible, timeout=5000)  # printing to a file stays offered
    printing.reject()
