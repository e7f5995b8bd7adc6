"""The print buttons open the system print dialog without blocking (``open()``): the
receipt's (its default button, so Enter presses it after every cash confirm) raised a
TypeError on PySide6, whose QPrintDialog.open takes only (receiver, member)."""

from __future__ import annotations

from typing import Any

from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.receipt import print_receipt


def test_the_receipt_print_dialog_opens(qtbot: Any) -> None:
    payment = Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "12.50",
        "asset_code": "UAH", "category": "04", "purpose": "cash [ref:abc]",
        "status": "CONFIRMED", "created_at": "2026-12-05T08:00:00Z"})
    receipt = build_receipt(payment, ReceiptContext("Demo Bank", "Київ", "Коваль", "Мельник",
                                                    "UA213223130000026007233566001"), "en")
    dialog = print_receipt(receipt)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.windowTitle() == "Print receipt"
    dialog.reject()
    assert not dialog.isVisible()
