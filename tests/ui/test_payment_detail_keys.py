"""A confirmed payment's detail (from the account history) reprints its receipt by Alt+letter:
"Receipt…" had none, unlike the cash dialog's. The letter is its window's alone, in English
and in Ukrainian (until its Ukrainian text is in teller_uk.ts the Ukrainian run sees the
English one), and it opens the copy as the button does."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from teller_app.core.history import HistoryRow
from teller_app.core.receipt import ReceiptContext
from teller_app.platform.models import Payment
from teller_app.ui.payment_detail import PaymentDetailDialog
from tests.ui.test_accelerators_unique import clashes, language, mnemonic  # noqa: F401

PAID = Payment(guid="37f6b441-0906-46b6-9349-e742531f4eb7", amount=Decimal("30.00"),
               asset_code="UAH", category="01", status="CONFIRMED",
               stellar_info={"hash": "ab" * 32},
               created_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
               updated_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
DESK = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", "")


def test_receipt_has_a_letter_of_its_own(qtbot: Any, ops: Any, language: str) -> None:  # noqa: F811
    detail = PaymentDetailDialog(HistoryRow(PAID, incoming=True), DESK, 2, ops)
    qtbot.addWidget(detail)
    detail.show()
    button = detail.receipt_button
    assert button is not None and button.isVisible()
    letter = mnemonic(button.text())
    assert letter in ("r", "к"), button.text()  # "&Receipt…", "&Квитанція…" (same key)
    assert clashes(detail) == {}

    detail.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail, timeout=5000)
    key = Qt.Key.Key_R if letter == "r" else Qt.Key(ord("К"))  # Qt keys: upper case
    qtbot.keyClick(detail, key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: detail.receipt_dialog is not None, timeout=5000)  # the copy
    assert detail.receipt_dialog is not None
    assert detail.receipt_dialog.receipt.reprint is not None
    detail.receipt_dialog.close()
    detail.close()
