"""The cash dialog once the draft exists, against the real sandbox (no hub): the fixed amount
reads as money in the desk's language with its currency (typed with either separator), the
reference says "Draft created." with the payment's number to select and its whole id in the
tip; and the limits row is named as the customer's."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.platform.models import Customer
from teller_app.ui.cash_dialog import CashDialog

clients: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients(arun: Any) -> Iterator[None]:
    yield
    while clients:
        arun(clients.pop().aclose())


def _created(qtbot: Any, ops: Any, sandbox: Any, arun: Any, typed: str) -> CashDialog:
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
    qtbot.keyClicks(dialog.amount, typed)
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    return dialog


def _row_label(dialog: CashDialog, field: QLabel) -> str:
    layout = dialog.layout()
    assert isinstance(layout, QFormLayout)
    label = layout.labelForField(field)
    assert isinstance(label, QLabel)
    return label.text()


def test_a_draft_in_ukrainian_reads_as_money(qtbot: Any, ops: Any, sandbox: Any, arun: Any,
                                             ukrainian: None) -> None:
    dialog = _created(qtbot, ops, sandbox, arun, "120.50")  # typed with a point
    assert dialog.draft is not None and dialog.draft.amount == Decimal("120.50")
    assert dialog.amount.isReadOnly()
    assert dialog.amount.text() == "120,50\u00a0₴"  # as "Balance after" reads
    assert dialog.after_label.text().endswith("\u00a0₴")


def test_a_draft_in_english_names_its_payment(
        qtbot: Any, ops: Any, sandbox: Any, arun: Any, english: None) -> None:
    dialog = _created(qtbot, ops, sandbox, arun, "1200")
    draft = dialog.draft
    assert draft is not None
    assert dialog.amount.text() == "1,200.00\u00a0UAH"
    assert _row_label(dialog, dialog.limits_label) == "Customer's limits"
    lines = dialog.reference.text().split("\n")
    assert lines == ["Draft created.", f"Payment: {draft.payment_guid[:8]}"]
    assert dialog.reference.toolTip() == draft.payment_guid  # the whole id, where one looks
    assert "..." not in dialog.reference.text()
