"""The account history against the real sandbox: only a confirmed payment's amount is coloured
(green in, red out); a draft not confirmed moved no money and is grey. And the chooser of a
customer's accounts names each account's currency with its masked IBAN, so two can be told
apart."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMenu, QPushButton, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryService
from teller_app.core.views import AccountView, AssetBalance
from teller_app.ui.cash_desk import HistoryWindows
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.history_model import HistoryModel

GREEN = QColor("#1b5e20")


def test_a_draft_is_grey_and_a_confirmed_deposit_green(qtbot: Any, ops: Any, sandbox: Any,
                                                       arun: Any) -> None:
    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    confirmed = arun(service.create(CashKind.DEPOSIT, guid, "300.00"))
    arun(service.confirm(confirmed.payment_guid))
    draft = arun(service.create(CashKind.DEPOSIT, guid, "40.00"))
    account = arun(client.get_customer_accounts(guid))[0]
    model = HistoryModel(ops, HistoryService(client, service.branch_guid, None),
                         account.wallet_account_guid)
    model.reload()
    qtbot.waitUntil(lambda: len(model.rows) == 2 and not model.loading, timeout=10000)

    def colour(payment_guid: str) -> QColor:
        row = next(n for n, r in enumerate(model.rows) if r.payment.guid == payment_guid)
        value = model.data(model.index(row, 2), Qt.ItemDataRole.ForegroundRole)
        assert isinstance(value, QColor)
        return value

    assert colour(confirmed.payment_guid) == GREEN
    grey = colour(draft.payment_guid)
    assert grey != GREEN and grey.saturation() == 0  # neutral: no money moved
    arun(client.aclose())


def test_the_account_chooser_names_the_currency(qtbot: Any, ops: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    button = QPushButton("History", parent)
    accounts = [AccountView("a1", iban="UA943052990000026007233562557",
                            assets=(AssetBalance(code="UAH"),)),
                AccountView("a2", iban="UA213223130000026007233562557",
                            assets=(AssetBalance(code="", stellar_code="EUAH"),))]
    card = cast(CustomerCard, SimpleNamespace(accounts=accounts))
    opened = HistoryWindows().open(ops, cast(Any, None), card, parent, button)
    assert opened is None  # several accounts: a menu asks which
    menu = button.findChild(QMenu)
    assert isinstance(menu, QMenu)
    assert [a.text() for a in menu.actions()] == ["UA94 •••• 2557 · UAH",
                                                  "UA21 •••• 2557 · EUAH"]
    menu.close()
