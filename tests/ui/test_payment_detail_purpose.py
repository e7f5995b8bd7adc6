"""The payment detail shows the purpose as the history and the receipt do: without the desk's
own reference tag ("Purpose: [ref:802f743a]" was shown for a payment with no purpose)."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.core.history import HistoryRow
from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.async_op import OpRunner
from teller_app.ui.payment_detail import PaymentDetailDialog
from teller_app.ui.receipt import receipt_rows

from .dialog_reading import detail_value

DESK = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест",
                      "UA213223130000026007233566001")




@pytest.mark.parametrize(("purpose", "shown"), [
    ("[ref:802f743a]", "—"),
    ("Оплата за оренду [ref:0a1b2c3d]", "Оплата за оренду"),
    ("", "—"),
    ("no tag", "no tag"),
])
def test_the_detail_shows_the_purpose_without_the_reference_tag(
        qtbot: Any, qloop: Any, purpose: str, shown: str) -> None:
    payment = Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "10.00",
        "asset_code": "UAH", "category": "04", "status": "CONFIRMED", "purpose": purpose,
        "created_at": "2026-12-06T08:02:19Z", "stellar_info": {"hash": "ab" * 32}})
    row = HistoryRow(payment, True)
    detail = PaymentDetailDialog(row, DESK, 2, OpRunner())
    qtbot.addWidget(detail)
    assert detail_value(detail, "Purpose") == shown
    # the same words as the receipt's row ("—" for none)
    assert dict(receipt_rows(build_receipt(payment, DESK, "en")))["Purpose"].strip(
        "\u2068\u2069") == shown
