"""The account history's payment detail against the real sandbox: only a CONFIRMED payment
offers a receipt (a draft's money never moved), and Enter on a detail closes it, never prints
one (Receipt… prints when it is the button pressed)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryMemory, HistoryService
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.history import HistoryDialog, PaymentDetailDialog
from teller_app.ui.receipt_dialog import ReceiptDialog


def _detail(qtbot: Any, dialog: HistoryDialog, guid: str) -> PaymentDetailDialog:
    row = next(i for i, r in enumerate(dialog.model.rows) if r.payment.guid == guid)
    dialog.open_payment(row)
    detail = dialog.detail
    assert detail is not None
    qtbot.waitUntil(detail.isVisible, timeout=5000)
    return detail


def test_only_a_confirmed_payment_offers_a_receipt(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    draft = arun(service.create(CashKind.DEPOSIT, guid, "70.00"))  # never confirmed
    paid = arun(service.create(CashKind.DEPOSIT, guid, "30.00"))
    arun(service.confirm(paid.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, HistoryService(client, service.branch_guid, HistoryMemory()),
                           account.wallet_account_guid, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 2 and not dialog.model.loading,
                    timeout=10000)

    # The draft: no Receipt… button, and Enter (the dialog's default) prints nothing.
    detail = _detail(qtbot, dialog, draft.payment_guid)
    shown = [b.objectName() or b.text() for b in detail.findChildren(QPushButton)
             if b.isVisible()]
    assert shown == ["Close"], shown
    detail.reprint()  # even asked directly, a draft gets no receipt
    qtbot.keyClick(detail, Qt.Key.Key_Return)
    assert detail.receipt_dialog is None and detail.findChild(ReceiptDialog) is None
    assert not detail.isVisible()  # Enter closed it
    # The confirmed payment: its receipt is offered; Enter still closes (Close is the
    # default), and Receipt… prints when it is the button pressed.
    detail = _detail(qtbot, dialog, paid.payment_guid)
    assert detail.receipt_button is not None and detail.receipt_button.isVisible()
    qtbot.keyClick(detail, Qt.Key.Key_Return)
    assert detail.receipt_dialog is None and not detail.isVisible()
    detail = _detail(qtbot, dialog, paid.payment_guid)
    detail.receipt_button.setFocus()
    qtbot.keyClick(detail.receipt_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: detail.receipt_dialog is not None, timeout=10000)  # a copy
    assert detail.receipt_dialog.receipt.amount == Decimal("30.00")
    assert detail.receipt_dialog.receipt.reprint is not None
    detail.receipt_dialog.close()
    dialog.close()
    arun(client.aclose())
