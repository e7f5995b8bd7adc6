"""An account's history by keys, against the real sandbox: Enter on a row opens that payment
and nothing else (Refresh was the dialog's default: the history reloaded behind the detail);
in the detail Enter closes (the keys back on the table), and Receipt… prints only when
pressed on purpose; "Dates" has its Alt+letter, and a typed date is read once, when it is
set (not at every digit)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryService
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.history import HistoryDialog
from tests.ui.test_accelerators_unique import clashes, mnemonic


def _active(qtbot: Any, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def test_enter_opens_the_row_only_and_dates_are_read_once(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    paid = arun(service.create(CashKind.DEPOSIT, guid, "30.00"))
    arun(service.confirm(paid.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, HistoryService(client, service.branch_guid),
                           account.wallet_account_guid, desk)
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        _active(qtbot, dialog)
        qtbot.waitUntil(lambda: len(dialog.model.rows) == 1 and not dialog.model.loading,
                        timeout=15000)
        for button in (dialog.refresh_button, dialog.export_button):
            assert not button.isDefault() and not button.autoDefault()
        reloads: list[int] = []
        dialog.model.modelReset.connect(lambda: reloads.append(1))

        # Enter on the row: its detail, and the history is not read again behind it
        dialog.table.setFocus()
        dialog.table.selectRow(0)
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
        detail = dialog.detail
        assert detail is not None
        qtbot.waitUntil(detail.isVisible, timeout=5000)
        assert reloads == [] and dialog.file_dialog is None and not dialog.model.loading

        # in the detail, Enter closes it; Receipt… prints when it is the one pressed
        assert detail.close_button.isDefault() and detail.receipt_button is not None
        assert not detail.receipt_button.isDefault()
        _active(qtbot, detail)
        assert detail.close_button.hasFocus()  # not Receipt… (focused, it was the default)
        qtbot.keyClick(QApplication.focusWidget() or detail, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not detail.isVisible(), timeout=5000)
        assert detail.receipt_dialog is None
        # closed, the keys are back on the row's table (offscreen they went nowhere)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.table, timeout=5000)
        dialog.open_payment(0)
        detail = dialog.detail
        qtbot.waitUntil(detail.isVisible, timeout=5000)
        _active(qtbot, detail)
        detail.receipt_button.setFocus()
        qtbot.keyClick(detail.receipt_button, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: detail.receipt_dialog is not None, timeout=10000)  # a copy
        assert detail.receipt_dialog.receipt.reprint is not None
        detail.receipt_dialog.close()
        detail.close()

        # "Dates" by its letter, then a typed "from": read once, when Enter sets it
        _active(qtbot, dialog)
        assert mnemonic(dialog.use_dates.text()) == "d" and clashes(dialog) == {}
        dialog.table.setFocus()
        qtbot.keyClick(dialog.table, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(dialog.use_dates.isChecked, timeout=5000)
        qtbot.waitUntil(lambda: not dialog.model.loading, timeout=15000)
        reloads.clear()
        box = dialog.date_from
        box.setDisplayFormat("dd.MM.yyyy")  # typed day first, whatever the test's locale
        box.setFocus()
        box.setSelectedSection(QDateEdit.Section.DaySection)
        for digit in "01012026":
            qtbot.keyClick(box, digit)
        assert box.text() == "01.01.2026" and reloads == []  # two dates passed meanwhile
        qtbot.keyClick(box, Qt.Key.Key_Return)
        assert reloads == [1] and _day(box.date()) == date(2026, 1, 1)
        assert dialog.model.filters.date_from is not None
        assert dialog.model.filters.date_from.date() == date(2026, 1, 1)
        assert dialog.isVisible()  # Enter in a date box set it, and pressed no button
        qtbot.waitUntil(lambda: not dialog.model.loading, timeout=15000)
        assert [r.payment.guid for r in dialog.model.rows] == [paid.payment_guid]
    finally:
        ops.cancel_all()
        dialog.close()
        arun(client.aclose())
