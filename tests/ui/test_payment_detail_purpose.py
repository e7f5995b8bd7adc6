"""The payment detail shows the purpose as the history and the receipt do: without the desk's
own reference tag ("Purpose: [ref:802f743a]" was shown for a payment with no purpose)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from teller_app.core.history import HistoryRow
from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.async_op import OpRunner
from teller_app.ui.payment_detail import PaymentDetailDialog
from teller_app.ui.receipt import receipt_rows

DESK = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест",
                      "UA213223130000026007233566001")


def _shown(dialog: PaymentDetailDialog, label: str) -> str:
    layout = dialog.layout()
    for row in range(layout.rowCount()):  # type: ignore[attr-defined]
        name = layout.itemAt(row, layout.ItemRole.LabelRole)  # type: ignore[attr-defined]
        field = layout.itemAt(row, layout.ItemRole.FieldRole)  # type: ignore[attr-defined]
        if name is not None and field is not None and name.widget().text() == label:
            widget = field.widget()
            assert isinstance(widget, QLabel)
            return widget.text()
    raise AssertionError(f"no {label!r} row")


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
    assert _shown(detail, "Purpose") == shown
    # the same words as the receipt's row ("—" for none)
    assert dict(receipt_rows(build_receipt(payment, DESK, "en")))["Purpose"].strip(
        "\u2068\u2069") == shown
