"""Receipts: amounts in words checked against hand-written cases, masking, Kyiv time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from teller_app.core.receipt import (
    PURPOSE_ON_RECEIPT,
    ReceiptContext,
    Reprint,
    amount_in_words,
    build_receipt,
    kyiv_now,
    kyiv_stamp,
    kyiv_time,
    mask_iban,
    strip_ref,
)
from teller_app.platform.models import Payment

# Written by hand (hryvnia: 1 гривня, 2–4 гривні, 5+ and 11–14 гривень; the same for копійка).
CASES = [
    ("1", "Одна гривня, 00 копійок", "One hryvnia, 00 kopiykas"),
    ("2", "Дві гривні, 00 копійок", "Two hryvnias, 00 kopiykas"),
    ("5", "П’ять гривень, 00 копійок", "Five hryvnias, 00 kopiykas"),
    ("11", "Одинадцять гривень, 00 копійок", "Eleven hryvnias, 00 kopiykas"),
    ("21", "Двадцять одна гривня, 00 копійок", "Twenty-one hryvnias, 00 kopiykas"),
    ("101", "Сто одна гривня, 00 копійок", "One hundred and one hryvnias, 00 kopiykas"),
    ("1000000", "Один мільйон гривень, 00 копійок", "One million hryvnias, 00 kopiykas"),
    ("0.01", "Нуль гривень, 01 копійка", "Zero hryvnias, 01 kopiyka"),
    ("0.02", "Нуль гривень, 02 копійки", "Zero hryvnias, 02 kopiykas"),
    ("1234.56", "Одна тисяча двісті тридцять чотири гривні, 56 копійок",
     "One thousand two hundred and thirty-four hryvnias, 56 kopiykas"),
    ("4608.49", "Чотири тисячі шістсот вісім гривень, 49 копійок",
     "Four thousand six hundred and eight hryvnias, 49 kopiykas"),
]


@pytest.mark.parametrize(("amount", "uk", "en"), CASES)
def test_amount_in_words(amount: str, uk: str, en: str) -> None:
    assert amount_in_words(Decimal(amount), "uk") == uk
    assert amount_in_words(Decimal(amount), "en") == en


def test_an_int_is_hryvnias_not_kopiyky() -> None:
    # num2words reads an int as kopiyky; the receipt converts to Decimal first.
    assert amount_in_words(1000000, "uk") == "Один мільйон гривень, 00 копійок"  # type: ignore[arg-type]


def test_receipt_fields() -> None:
    payment = Payment(guid="37f6b441-0906-46b6-9349-e742531f4eb7", amount=Decimal("150.50"),
                      asset_code="UAH", category="02", status="CONFIRMED",
                      purpose="видача [ref:0a1b2c3d]", stellar_info={"hash": "ab" * 32},
                      updated_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    desk = ReceiptContext("Demo Bank", "Львів, Ринок", "Касир", "Клієнт",
                          "UA21 3223 1300 0002 6007 2335 6600 1")
    receipt = build_receipt(payment, desk, "uk")
    assert receipt.kind == "withdrawal" and receipt.purpose == "видача"
    assert receipt.iban_masked == "UA21 •••• 6001"
    assert receipt.at.hour == 12  # Kyiv summer time, UTC+3
    assert receipt.amount_words == "Сто п’ятдесят гривень, 50 копійок"
    assert build_receipt(payment, desk, "en_US").lang == "en"
    assert kyiv_time(datetime(2026, 1, 1, 9, 0, tzinfo=UTC)).hour == 11  # winter, UTC+2
    assert mask_iban("") == "" and strip_ref("no tag") == "no tag"


def test_the_hour_that_comes_twice_prints_its_offset() -> None:
    """25 Oct 2026: Kyiv's 03:00-03:59 comes twice (summer time ends at 04:00 EEST); 00:30Z
    and 01:30Z are both "03:30" and only the offset tells them apart."""
    first = kyiv_stamp(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = kyiv_stamp(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert first == "25.10.2026 03:30:00 (+03:00)"
    assert second == "25.10.2026 03:30:00 (+02:00)"
    assert kyiv_stamp(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29.03.2026 04:00:00"


def test_a_long_purpose_is_cut_and_a_copy_says_so() -> None:
    payment = Payment(guid="37f6b441-0906-46b6-9349-e742531f4eb7", amount=Decimal("1.00"),
                      asset_code="UAH", category="04", status="CONFIRMED",
                      purpose="Оплата " * 160 + "[ref:0a1b2c3d]",
                      updated_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", "")
    original = build_receipt(payment, desk, "uk")
    assert len(original.purpose) == PURPOSE_ON_RECEIPT and original.purpose.endswith("…")
    assert original.purpose.startswith("Оплата Оплата") and original.reprint is None
    copy = build_receipt(payment, desk, "uk", reprint=Reprint("Другий Касир", kyiv_now()))
    assert copy.file_stem == original.file_stem + "-copy"
    assert copy.reprint is not None and copy.reprint.by == "Другий Касир"
