"""The receipt's layout as the visual check saw it on the A5: "Purpose: —" sat in the label
column with a colon unlike every other row, the payment ID (a GUID that fits) was cut after
its 19th character, and each signature's blank fell to the next line under its label. Read
back from the HTML's cells and from the laid-out page, in both languages."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QTextBlock, QTextDocument

from teller_app.core.receipt import ReceiptContext, Reprint, build_receipt, kyiv_now
from teller_app.platform.models import Payment
from teller_app.ui.receipt import FONT_STEPS, PAGE_POINTS, print_document, receipt_html

GUID = "6712c146-d1a1-4485-b229-73f240481129"
HASH = "3e2896647fbda23b0ab5be7dbc106db18ec5dce49beaceaf470be46b697a8b3b"
DESK = ReceiptContext("Demo Bank (sandbox)", "Київ, Хрещатик", "Мельник Оксана",
                      "Шевченко-Квітка Олександра Володимирівна",
                      "UA783052990000026007233568325")


def _receipt(lang: str, copy: bool = False) -> Any:
    payment = Payment.model_validate({
        "guid": GUID, "amount": "1200.00", "asset_code": "UAH", "category": "04",
        "purpose": "[ref:802f743a]", "status": "CONFIRMED",
        "created_at": "2026-12-06T08:02:54Z", "updated_at": "2026-12-06T08:02:54Z",
        "stellar_info": {"hash": HASH}})
    reprint = Reprint("Коваленко-Шевченко Олександра", kyiv_now()) if copy else None
    return build_receipt(payment, DESK, lang, reprint=reprint)


class _Rows(HTMLParser):
    """Every table row as the texts of its cells (with each cell's attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[dict[str, str | None], str]]] = []
        self.cell: tuple[dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.cell = (dict(attrs), [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1].append((self.cell[0], "".join(self.cell[1])))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1].append(data)


def _rows(page: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(page)
    return [[text for _, text in row] for row in parser.rows]


def _blocks(document: QTextDocument) -> list[QTextBlock]:
    blocks, block = [], document.begin()
    while block.isValid():
        blocks.append(block)
        block = block.next()
    return blocks


def _translated(text: str) -> str:
    return QCoreApplication.translate("Receipt", text)


@pytest.fixture(params=["en", "uk"])
def lang(request: pytest.FixtureRequest, qapp: Any) -> str:
    if request.param == "uk":
        request.getfixturevalue("ukrainian")
    return str(request.param)


def test_the_purpose_is_a_row_like_the_others(lang: str) -> None:
    page = receipt_html(_receipt(lang))
    assert "colspan" not in page
    rows = _rows(page)
    purpose = [row for row in rows if row and row[0].startswith(_translated("Purpose"))]
    assert purpose == [[_translated("Purpose"), "—"]]
    assert all(len(row) == 2 and not row[0].endswith(":") for row in rows[:14]), rows


@pytest.mark.parametrize("size", FONT_STEPS)
def test_the_payment_id_is_one_unbroken_line(lang: str, size: float) -> None:
    page = receipt_html(_receipt(lang, copy=True), size)
    assert [GUID] in [row[1:] for row in _rows(page)]
    document = print_document(page, PAGE_POINTS)
    assert document.pageCount() == 1
    guid = [b for b in _blocks(document) if GUID in b.text()]
    assert len(guid) == 1 and guid[0].text() == GUID
    assert guid[0].layout().lineCount() == 1  # laid out on the A5: not wrapped at a hyphen
    # the hash is two halves of 32, each whole
    halves = [b for b in _blocks(document) if HASH[:32] in b.text()]
    assert halves and halves[0].text() == HASH[:32] + "\u2028" + HASH[32:]
    assert halves[0].layout().lineCount() == 2


def test_each_signature_label_and_its_blank_share_a_line(lang: str) -> None:
    page = receipt_html(_receipt(lang, copy=True))
    rows = _rows(page)
    labels = [_translated("Teller's signature") + ":", _translated("Customer's signature") + ":"]
    for label in labels:
        row = next(r for r in rows if label in r)
        assert len(row) == 2 and row[0] == label and set(row[1]) == {"_"}, row
    document = print_document(page, PAGE_POINTS)
    layout = document.documentLayout()
    blocks = _blocks(document)
    for label in labels:
        at = next(i for i, b in enumerate(blocks) if b.text().replace("\xa0", " ") == label)
        name, blank = blocks[at], blocks[at + 1]
        assert set(blank.text()) == {"_"}
        assert name.layout().lineCount() == 1 and blank.layout().lineCount() == 1
        assert abs(layout.blockBoundingRect(name).top()
                   - layout.blockBoundingRect(blank).top()) < 1  # side by side, not under
