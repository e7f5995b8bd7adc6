"""Once the cash draft exists its amount is read-only and reads as the dialog's other read-only
values do: from the left, where the labels' text starts (it stayed right-aligned, as a box
still to type in); typed, the amount is right-aligned digits as before, and a create that
surely failed makes it so again. The confirmed payment is said in one sentence ("Payment
confirmed.", not "Done: Confirmed."). Against the real sandbox (no hub)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.platform.models import Customer
from teller_app.ui.cash_amount_field import amount_field, set_sent
from teller_app.ui.cash_dialog import CashDialog

clients: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients(arun: Any) -> Iterator[None]:
    yield
    while clients:
        arun(clients.pop().aclose())


def _horizontal(field: QLineEdit) -> Qt.AlignmentFlag:
    return field.alignment() & Qt.AlignmentFlag.AlignHorizontal_Mask


def test_a_drafts_amount_reads_from_the_left(qtbot: Any, ops: Any, sandbox: Any, arun: Any,
                                             english: None) -> None:
    client = arun(client_for(sandbox, TELLER))
    clients.append(client)
    guid = arun(new_customer(client, sandbox))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    qtbot.keyClicks(dialog.amount, "150")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    assert _horizontal(dialog.amount) == Qt.AlignmentFlag.AlignRight  # typed: as digits

    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isVisible(), timeout=10000)
    amount = dialog.amount
    assert amount.isReadOnly() and _horizontal(amount) == Qt.AlignmentFlag.AlignLeft
    # its text starts where the value labels' text does (within a frameless edit's margin),
    # not at the far end of the row
    amount.setCursorPosition(0)
    start = amount.mapTo(dialog, amount.cursorRect().center()).x()
    balance = dialog.balance_label.mapTo(dialog, dialog.balance_label.rect().topLeft()).x()
    assert abs(start - balance) <= 8, (start, balance)

    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=15000)
    assert _horizontal(dialog.amount) == Qt.AlignmentFlag.AlignLeft
    assert dialog.note.text() == "Payment confirmed."


def test_an_amount_sent_back_to_typing_is_right_aligned_again(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    amount, purpose = amount_field(parent), QLineEdit(parent)
    set_sent(amount, purpose, True)
    assert _horizontal(amount) == Qt.AlignmentFlag.AlignLeft
    set_sent(amount, purpose, False)  # a create that surely failed: typed again
    assert _horizontal(amount) == Qt.AlignmentFlag.AlignRight and not amount.isReadOnly()
    assert _horizontal(purpose) == Qt.AlignmentFlag.AlignLeft
