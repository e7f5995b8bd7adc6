"""Account history opens with the payments under the keyboard (Ctrl+H, then arrows): the
table has the focus when the dialog shows and still after its first read, Down goes from
payment to payment (it went from the "Dates" checkbox to "All categories"), and Tab order
stays the screen's: Shift+Tab from the table reaches the filters' last button."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryService
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.history import HistoryDialog


def test_history_opens_on_the_payments_table(qtbot: Any, ops: Any, sandbox: Any,
                                             arun: Any) -> None:
    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    for amount in ("30.00", "12.00"):
        paid = arun(service.create(CashKind.DEPOSIT, guid, amount))
        arun(service.confirm(paid.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, HistoryService(client, service.branch_guid),
                           account.wallet_account_guid, desk)
    qtbot.addWidget(dialog)
    try:
        dialog.show()  # as the card opens it
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
        assert QApplication.focusWidget() is dialog.table
        qtbot.waitUntil(lambda: len(dialog.model.rows) == 2 and not dialog.model.loading,
                        timeout=15000)
        assert QApplication.focusWidget() is dialog.table  # the first read kept it there
        category = dialog.category.currentIndex()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
        first = dialog.table.currentIndex().row()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
        assert (first, dialog.table.currentIndex().row()) == (0, 1)
        assert dialog.category.currentIndex() == category and not dialog.use_dates.isChecked()
        assert QApplication.focusWidget() is dialog.table
        qtbot.keyClick(dialog.table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is dialog.export_button
    finally:
        ops.cancel_all()
        dialog.close()
        arun(client.aclose())
