"""The end-of-day report is made, laid out and painted off the UI thread: a day of 1 000
operations froze the desk for a second while its report was shown (the preview's HTML laid
out in the window), saved or printed (the document and its PDF made on the UI thread). The
window says it is preparing while the UI thread goes on turning its event loop; the PDF
still has every page, each naming its till, day and page."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrinterInfo

from teller_app.ui import till_report
from teller_app.ui.print_off_thread import OffThreadPrintJob
from teller_app.ui.till_dialog import ReportDialog
from teller_app.ui.till_report import report_document

from .test_print_failure_said import _print_to
from .test_till_report_pages import _page_lines, _pages
from .test_till_report_paper import CONTEXT, _report

OPERATIONS = 1_000
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (Debian poppler-utils) is not installed")


class Made:
    """The report's documents (``till_report.print_document``: the PDF's and the paper's,
    their footers'), whether each was made on the UI thread."""

    def __init__(self, monkeypatch: Any) -> None:
        self.on_ui: list[bool] = []
        real = till_report.print_document

        def make(*args: Any, **kwargs: Any) -> Any:
            self.on_ui.append(threading.current_thread() is threading.main_thread())
            return real(*args, **kwargs)

        monkeypatch.setattr(till_report, "print_document", make)

    def off_the_ui_thread(self) -> bool:
        return bool(self.on_ui) and not any(self.on_ui)


class Ticks:
    """A timer on the UI thread, each tick recording ``state()`` as it was then."""

    def __init__(self, state: Any) -> None:
        self.seen: list[Any] = []
        self.timer = QTimer()
        self.timer.setInterval(0)
        self.timer.timeout.connect(lambda: self.seen.append(state()))
        self.timer.start()


def _check_pdf(path: Path) -> None:
    pages = report_document(_report(OPERATIONS), CONTEXT).pageCount()
    assert pages > 20 and _pages(path) == pages
    for page in (1, 2, pages):
        lines = _page_lines(path, page)
        assert lines[-1] == f"Till T1, 06.12.2025, page {page} of {pages}", (page, lines[-3:])
    assert _page_lines(path, 2)[0].split() == ["Time", "Operation", "Category", "Amount",
                                               "Payment"]
    assert "Balance" in _page_lines(path, pages)  # and the signatures with it


def test_the_report_window_shows_at_once_and_prepares_off_the_ui_thread(
        english: Any, qtbot: Any, ops: Any, qtlog: Any) -> None:
    dialog: list[ReportDialog] = []
    # each tick: was the window there with its operations not listed yet?
    ticks = Ticks(lambda: bool(dialog) and dialog[0].preview.toPlainText() == "")
    try:
        dialog.append(ReportDialog(_report(OPERATIONS), CONTEXT, ops))
        window = dialog[0]
        qtbot.addWidget(window)
        window.show()
        assert window.status.text() == "Preparing the report…"
        qtbot.waitUntil(lambda: window.model.rowCount() == OPERATIONS, timeout=60000)
    finally:
        ticks.timer.stop()
    assert True in ticks.seen  # the event loop turned while the report was being prepared
    assert window.status.text() == "" and not window.preparing
    text = window.preview.toPlainText()
    assert "End-of-day till report" in text and "Balance" in text and "Operations" not in text
    assert window.operations_heading.text() == "Operations"
    assert window.model.rows[0][1:4] == ["Cash deposit", "04", "1,200.00\xa0UAH"], \
        window.model.rows[0]
    assert not [r for r in qtlog.records if "thread" in r.message.lower()]
    # the ticking timer's slot (a C++-held lambda) keeps this list: the window must not
    # outlive the test with it (test_till_windows_released counts closed windows left)
    dialog.clear()


@needs_pdftotext
def test_save_as_pdf_makes_the_pdf_off_the_ui_thread(english: Any, qtbot: Any, ops: Any,
                                                     tmp_path: Path, monkeypatch: Any,
                                                     qtlog: Any) -> None:
    made = Made(monkeypatch)
    window = ReportDialog(_report(OPERATIONS), CONTEXT, ops)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.preparing, timeout=60000)
    saved: list[str] = []
    window.saved.connect(saved.append)
    ticks = Ticks(lambda: bool(saved))
    try:
        window.save_pdf(str(tmp_path / "eod.pdf"))
        assert not window.save_button.isEnabled()  # saving
        qtbot.waitUntil(lambda: bool(saved), timeout=60000)
    finally:
        ticks.timer.stop()
    assert False in ticks.seen  # the loop turned while the PDF was being made
    assert made.off_the_ui_thread(), made.on_ui
    assert window.status.text() == f"Saved to {tmp_path / 'eod.pdf'}"
    _check_pdf(tmp_path / "eod.pdf")
    assert not [r for r in qtlog.records if "thread" in r.message.lower()]


@needs_pdftotext
def test_print_to_file_makes_the_pdf_off_the_ui_thread(english: Any, qtbot: Any, ops: Any,
                                                       tmp_path: Path,
                                                       monkeypatch: Any) -> None:
    made = Made(monkeypatch)
    window = ReportDialog(_report(OPERATIONS), CONTEXT, ops)
    qtbot.addWidget(window)
    window.show()
    target = tmp_path / "printed.pdf"
    _print_to(qtbot, window, str(target))
    qtbot.waitUntil(lambda: window.status.text().startswith("Printed to "), timeout=60000)
    assert window.status.text() == f"Printed to {target}"
    assert made.off_the_ui_thread(), made.on_ui
    _check_pdf(target)


@pytest.mark.skipif(bool(QPrinterInfo.availablePrinters()), reason="a printer is installed")
def test_paper_is_painted_off_the_ui_thread(english: Any, qtbot: Any, ops: Any,
                                            monkeypatch: Any) -> None:
    """The paper path paints in a worker (no printer here: its PDF printer without a file
    stands for one, which cannot start, and that is said)."""
    from teller_app.ui import print_off_thread

    made = Made(monkeypatch)
    monkeypatch.setattr(print_off_thread, "file_of", lambda printer: None)
    window = ReportDialog(_report(OPERATIONS), CONTEXT, ops)
    qtbot.addWidget(window)
    window.print_it()
    job = window.print_dialog
    assert isinstance(job, OffThreadPrintJob)
    job.printer_ref.setOutputFileName("")
    with qtbot.waitSignal(job.failed, timeout=60000) as failed:
        job.accept()
    assert failed.args == ["the printer did not accept it"]
    assert made.off_the_ui_thread(), made.on_ui
