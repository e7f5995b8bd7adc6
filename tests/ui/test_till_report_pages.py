"""Every page of the end-of-day report says which till and day it belongs to, and which page
of how many: the second page (the balance and the signature lines) said nothing of either.
The operations table's heading row comes again at the top of a page it runs onto (it went on
without column headings). The real PDF (``QPdfWriter``) and a ``QPrinter`` alike."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrinter

from teller_app.ui.till_report import report_document, write_report_pdf

from .test_till_report_paper import CONTEXT, _report

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (Debian poppler-utils) is not installed")
HEADINGS = ["Time", "Operation", "Category", "Amount", "Payment"]


def _page_lines(path: Path, page: int) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path),
                          "-"], capture_output=True, text=True, check=True, timeout=30).stdout
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True,
                          timeout=30).stdout
    return int(info.split("Pages:")[1].split()[0])


def _check(path: Path, pages: int) -> None:
    assert _pages(path) == pages
    for page in range(1, pages + 1):
        lines = _page_lines(path, page)
        # the opening day in Kyiv: 1_765_045_320 is 06.12.2025 20:22
        assert lines[-1] == f"Till T1, 06.12.2025, page {page} of {pages}", (page, lines)
    second = _page_lines(path, 2)
    assert second[0].split() == HEADINGS, second[:3]  # the table's headings again
    assert second[1].split()[1:3] == ["Cash", "deposit"] or second[1].split()[1:3] == [
        "Cash", "withdrawal"], second[:3]


def test_each_page_names_the_till_day_and_page(english: Any, tmp_path: Path) -> None:
    report = _report(40)  # the operations run onto page 2
    document = report_document(report, CONTEXT)
    assert document.pageCount() == 2
    _check(write_report_pdf(report, CONTEXT, tmp_path / "eod.pdf"), 2)


def test_a_printer_gets_the_same_pages(english: Any, tmp_path: Path) -> None:
    from teller_app.ui.print_job import paint_pages
    from teller_app.ui.till_report import report_footer

    report = _report(40)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert paint_pages(report_document(report, CONTEXT), printer, report_footer(report))
    _check(tmp_path / "printed.pdf", 2)


def test_the_balance_page_alone_names_its_till(english: Any, tmp_path: Path) -> None:
    """A short day whose balance starts a page of its own (5 operations): that page is the
    one that said nothing of its till."""
    path = write_report_pdf(_report(5), CONTEXT, tmp_path / "eod.pdf")
    pages = _pages(path)
    last = _page_lines(path, pages)
    assert last[0] == "Balance" and last[-1] == f"Till T1, 06.12.2025, page {pages} of {pages}"
