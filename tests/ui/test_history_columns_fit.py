"""The account history's columns: the operation ("Внесення готівки", "Cash withdrawal") stays
on one line, and the width left over goes to Purpose (an empty Purpose took ~40 % while the
operation wrapped onto two lines)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QStyle, QTableView

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryService
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.history import HistoryDialog


def one_line_width(table: QTableView, text: str) -> int:
    """The width ``text`` needs on one line in a cell (the style's text margins)."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return table.fontMetrics().horizontalAdvance(text) + 2 * margin


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_operation_on_one_line_and_spare_width_to_purpose(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox, arun, request, language) -> None:
    request.getfixturevalue(language)
    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    for kind, amount in ((CashKind.DEPOSIT, "30.00"), (CashKind.WITHDRAWAL, "10.00")):
        paid = arun(service.create(kind, guid, amount))
        arun(service.confirm(paid.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, HistoryService(client, service.branch_guid),
                           account.wallet_account_guid, desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 2 and not dialog.model.loading,
                    timeout=15000)
    table = dialog.table
    kinds = [str(dialog.model.index(row, 1).data()) for row in range(2)]
    if language == "ukrainian":
        assert "Внесення готівки" in kinds
    longest = max(one_line_width(table, text) for text in kinds)
    assert table.columnWidth(1) >= longest, (kinds, table.columnWidth(1))
    for column in (2, 3, 5):  # amount, status, payment: whole too
        texts = [str(dialog.model.index(row, column).data()) for row in range(2)]
        assert table.columnWidth(column) >= max(one_line_width(table, t) for t in texts)
    # what is left is Purpose's, and nothing runs past the view
    widths = [table.columnWidth(c) for c in range(dialog.model.columnCount())]
    assert widths[4] == max(widths)
    assert sum(widths) <= table.viewport().width()
    # a width the teller set stays through a refresh (only the first rows fit the columns)
    table.setColumnWidth(1, widths[1] + 40)
    with qtbot.waitSignal(dialog.model.loaded, timeout=15000):
        dialog.refresh()
    assert table.columnWidth(1) == widths[1] + 40
    dialog.close()
