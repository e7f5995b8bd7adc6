"""What a receipt prints of the platform's text and time: names, purpose and account come
one line each inside a direction isolate with control characters shown as U+FFFD (then
HTML-escaped); a 1000-character purpose is cut so the A5 stays one page with the amount and
both signatures; the time carries its UTC offset (the hour that comes twice in October)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from teller_app.core.receipt import ReceiptContext, Reprint, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.receipt import receipt_document, receipt_html, receipt_pdf, receipt_rows

FSI, PDI, RLO = "\u2068", "\u2069", "\u202e"


def _payment(purpose: str, at: str = "2026-03-29T01:00:01Z") -> Payment:
    return Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "999999999.99",
        "asset_code": "UAH", "category": "04", "purpose": purpose + " [ref:abc]",
        "status": "CONFIRMED", "created_at": at, "updated_at": at,
        "stellar_info": {"hash": "ab" * 32}})


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_platform_text_prints_isolated_without_control_characters(qapp: Any) -> None:
    customer = "Мельник " + RLO + "00.000 1 :аму"
    desk = ReceiptContext("Demo Bank", "Київ\n1", "Коваль\x00\x07\x1b[31mІрина",
                          customer, "UA213223130000026007233566001")
    receipt = build_receipt(_payment("a\r\nb\tc <script>x</script>"), desk, "en")
    rows = dict(receipt_rows(receipt))
    # the override stays inside the name's own isolate: it cannot run into the next text
    assert rows["Customer"] == FSI + customer + PDI
    assert rows["Teller"] == FSI + "Коваль\ufffd\ufffd\ufffd[31mІрина" + PDI
    assert rows["Branch"] == FSI + "Київ 1" + PDI
    assert rows["Purpose"] == FSI + "a  b c <script>x</script>" + PDI
    page = receipt_html(receipt)
    assert not [c for c in page if unicodedata.category(c) == "Cc"], page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert f"{FSI}Мельник {RLO}00.000 1 :аму{PDI}" in page


def test_a_1000_character_purpose_keeps_the_receipt_on_one_page(qapp: Any,
                                                                tmp_path: Path) -> None:
    desk = ReceiptContext("Demo Bank", "Київ-1", "Шевченко Тарас Григорович",
                          "Х" * 100 + " " + "Ю" * 100, "UA213223130000026007233566001")
    payment = _payment(("Оплата за послуги " * 60)[:1000])
    receipt = build_receipt(payment, desk, "uk")
    assert receipt.purpose.endswith("…") and len(receipt.purpose) <= 200
    assert receipt_document(receipt).pageCount() == 1
    copy = build_receipt(payment, desk, "uk", reprint=Reprint("Костянтиненко-Шевченко "
                                                            "Олександра Володимирівна",
                                                            datetime.now(UTC)))
    assert _pages(receipt_pdf(copy)) == 1  # the copy's extra line too
    pdf = receipt_pdf(receipt)
    assert _pages(pdf) == 1
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed for the text check")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                                   capture_output=True, text=True, timeout=30).stdout.split())
    assert "999 999 999,99 ₴" in text and "Customer's signature" in text


def test_the_printed_time_carries_its_offset(qapp: Any) -> None:
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", "")
    early, late = (dict(receipt_rows(build_receipt(_payment("x", at), desk, "en")))
                   for at in ("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"))
    assert early["Date and time (Kyiv)"] == "25.10.2026 03:30:00 (+03:00)"
    assert late["Date and time (Kyiv)"] == "25.10.2026 03:30:00 (+02:00)"
    assert "(+03:00)" in receipt_html(build_receipt(_payment("x", "2026-10-25T00:30:00Z"),
                                                    desk, "en"))

