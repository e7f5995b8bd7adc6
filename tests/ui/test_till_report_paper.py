"""The end-of-day report on paper: the signature lines stay on the page of the balance they
sign for (the English report of a short day put them alone on page 2), and the balance's
amounts are right-aligned as every other money column. The real ``QTextDocument`` the PDF is
printed from, and the real PDF through ``QPdfWriter``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextBlock, QTextDocument

from teller_app.core.till_models import EndOfDay, Till, TillOperation
from teller_app.ui.till_report import ReportContext, report_document, report_pdf

SUPERVISOR = "supervisor.kyiv@demo.bank"
CONTEXT = ReportContext("Demo Bank (sandbox)", "Київ, Хрещатик", "Мельник Оксана")


def _report(operations: int) -> EndOfDay:
    """The day of the visual review (three operations, a short close co-signed), with as
    many operations as asked."""
    till = Till(id="t1", till_code="T1", state="closed", teller="t@bank", branch_guid=None,
                open_total=Decimal("1300"), expected=Decimal("2400.55"), counted=Decimal("300"),
                over_short=Decimal("-2100.55"), close_reason="Перерахунок / recount",
                cosigned_by=SUPERVISOR, close_cosigned_by=SUPERVISOR,
                opened_at=1_765_045_320, closed_at=1_765_045_360,
                open_counts={"note_500": 2, "note_100": 3}, close_counts={"note_100": 3})
    kinds = [("deposit", "04", "1200"), ("deposit", "04", "21.05"),
             ("withdrawal", "02", "120.50")]
    ops = tuple(TillOperation(kind, code, Decimal(amount), f"{n:08x}aaaa", "c",
                              1_765_045_344 + n)
                for n, (kind, code, amount) in enumerate(kinds[n % 3] for n in range(operations)))
    return EndOfDay(till, ops, {"deposit": (2, Decimal("1221.05")),
                                "withdrawal": (1, Decimal("120.50"))},
                    cosigner_name="Гнатюк Тарас", close_cosigner_name="Гнатюк Тарас")


def _blocks(document: QTextDocument) -> list[QTextBlock]:
    found, block = [], document.begin()
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def _page(document: QTextDocument, text: str) -> int:
    """The page (from 0) of the block that reads ``text`` (its start, for the signatures)."""
    block = next(b for b in _blocks(document) if b.text() == text
                 or (text.endswith(": ") and b.text().startswith(text)))
    top = document.documentLayout().blockBoundingRect(block).top()
    return int(top // document.pageSize().height())


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_the_short_day_of_the_review_prints_on_one_page(english: Any) -> None:
    report = _report(3)
    document = report_document(report, CONTEXT)
    assert document.pageCount() == 1
    assert _page(document, "Teller: ") == _page(document, "Over/short") == 0
    assert _pdf_pages(report_pdf(report, CONTEXT)) == 1


def test_the_signatures_never_leave_the_balance(english: Any) -> None:
    """Whatever the number of operations, the balance (heading to reason) and the signature
    lines share a page: a balance that does not fit starts a page of its own."""
    moved = 0
    for operations in range(0, 60, 2):
        document = report_document(_report(operations), CONTEXT)
        pages = {name: _page(document, name)
                 for name in ("Balance", "Previous close", "Over/short", "Reason", "Teller: ")}
        assert len(set(pages.values())) == 1, (operations, pages)
        moved += pages["Balance"] > 0
        if operations in (20, 40):
            assert _pdf_pages(report_pdf(_report(operations), CONTEXT)) == \
                document.pageCount()
    assert moved  # the longer days did reach a second page


def test_the_balance_amounts_are_right_aligned(english: Any) -> None:
    document = report_document(_report(3), CONTEXT)
    blocks = _blocks(document)
    start = next(i for i, b in enumerate(blocks) if b.text() == "Balance")
    amounts = [b for b in blocks[start:] if "UAH" in b.text()]
    assert [b.text().replace("\u00a0", " ") for b in amounts] == [
        "1,300.00 UAH", "1,221.05 UAH", "120.50 UAH", "2,400.55 UAH", "300.00 UAH",
        "-2,100.55 UAH"]
    for block in amounts:
        assert block.blockFormat().alignment() & Qt.AlignmentFlag.AlignRight, block.text()
    assert next(b for b in blocks[start:] if b.text() == "(short)")  # the verdict beside it
