"""Printed documents (receipts, the till report) keep their text as typed in the PDF: with
ligatures a payment id such as "ffe12ec4" came out of the PDF as "ﬀe12ec4" (one glyph), so
it could not be found or copied (and the till report test failed for ~5 % of random ids)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QPdfWriter

from teller_app.ui.receipt import PAGE_POINTS, print_document

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (Debian poppler-utils) is not installed; "
                                       "packaging/bootstrap.sh test installs it")


def test_a_printed_id_reads_back_as_printed(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "ffe12ec4 office fluff"
    path = tmp_path / "doc.pdf"
    writer = QPdfWriter(str(path))
    print_document("<html><body style='font-family: sans-serif; font-size: 9pt'><table>"
                   f"<tr><td>{text}</td></tr></table></body></html>", PAGE_POINTS).print_(writer)
    del writer  # finishes the file
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    assert text in " ".join(out.split())
