"""A big cash-in approved in place at the teller's desk reads as any request does in the inbox
(``approvals_detail``): the customer with the login, "Requested by" the teller at this desk
with the date and time, the change (the operation, the amount, the account), the reason. A
supervisor who cancels leaves the keyboard in the cash dialog: on their button, or on the
amount when that button is gone. Without a hub (the supervisor's credentials confirm the
draft) and with one (the filed request is decided), against the real sandbox (+ hub)."""

from __future__ import annotations

import re
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER as SANDBOX_TELLER
from test_approvals_helpers import client_for
from test_approvals_helpers import new_customer as new_sandbox_customer

from teller_app.core.cash import CashKind, CashReceipt, CashService
from teller_app.core.customers import CustomerService
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.till_desk import hub_cash

from .conftest import TELLER, make_window, new_customer
from .embedded_desk import embedded_stack, hub_session, open_cosigned_till

DESK = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир Олена", "", "")
WHEN = r"\d\d\.\d\d\.\d{4} \d\d:\d\d"  # dd.MM.yyyy HH:mm, Kyiv time
ISOLATES = str.maketrans("", "", "\u2068\u2069")

stack = embedded_stack("ui-cash-in-place-summary")


def _lines(approve: ApproveInPlaceDialog) -> list[str]:
    return approve.summary.text().translate(ISOLATES).split("\n")


def _focus_comes_back(qtbot: Any, widget: QWidget) -> None:
    """Nothing here activates the cash dialog (offscreen, as under a window manager that
    does not): the dialog itself takes the keyboard back."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=5000)


def _active(qtbot: Any, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def test_without_a_hub_the_summary_reads_as_the_inbox_and_cancel_returns_the_keys(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox, arun) -> None:
    from teller_app.platform.models import Customer

    client = arun(client_for(sandbox, SANDBOX_TELLER))
    guid = arun(new_sandbox_customer(client, sandbox))
    login = arun(client.get_customer(guid)).login
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))

    async def nobody(email: str, password: str, payment: str) -> CashReceipt:
        raise AssertionError("nobody approves here")

    # the card knows only the GUID: the login comes from the platform's read
    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT,
                        supervisor_confirm=nobody, desk=DESK)
    qtbot.addWidget(dialog)
    dialog.show()
    _active(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText("12000")
    dialog.purpose.setText("Sale of a car")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    supervisor = dialog.supervisor_button
    qtbot.waitUntil(supervisor.hasFocus, timeout=2000)

    supervisor.click()
    approve = dialog.in_place
    assert approve is not None
    qtbot.waitUntil(approve.isVisible, timeout=5000)
    lines = _lines(approve)
    assert len(lines) == 4, lines
    assert lines[0] == f"Customer: Нагляд Тест (login {login})", lines
    assert re.fullmatch(f"Requested by Касир Олена on {WHEN}", lines[1]), lines
    account = dialog.account_label.text()
    assert account.startswith("UA") and "•" in account  # masked, as the dialog shows it
    assert lines[2] == f"Change: Cash deposit 12,000.00\u00a0UAH to {account}", lines
    assert lines[3] == "Reason: Sale of a car", lines

    # Cancelled: the keyboard is on the supervisor's button again (Enter reopens it).
    _active(qtbot, approve)
    approve.reject()
    _focus_comes_back(qtbot, supervisor)
    assert supervisor.isDefault()

    # The button gone meanwhile (hidden here): the amount field takes the keyboard.
    supervisor.click()
    again = dialog.in_place
    assert again is not None and again is not approve
    qtbot.waitUntil(again.isVisible, timeout=5000)
    _active(qtbot, again)
    supervisor.hide()
    again.reject()
    _focus_comes_back(qtbot, dialog.amount)

    dialog.draft_settled = True  # closed without a prompt: the draft stays a draft
    dialog.reject()
    arun(client.aclose())


@pytest.fixture()
def window(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    session = hub_session(arun, stack, TELLER)
    win = make_window(qtbot, ops, session, stack.sandbox)
    yield win
    win._closing_for_sign_out = True
    ops.cancel_all()
    cash = hub_cash(win.session)
    assert cash is not None
    current = arun(cash.till.current())
    if current is not None:  # one till per teller: never leave one open (drafts are voided)
        arun(cash.till.close(current.open_counts, "test clean-up"))
    arun(session.close())


@pytest.mark.slow
def test_a_filed_cash_in_names_the_teller_and_cancel_returns_the_keys(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, window) -> None:
    cash = hub_cash(window.session)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, window.session, f"S{uuid.uuid4().hex[:6]}",
                       {"note_100": 3})
    new = new_customer(stack.sandbox, window.session, surname="Готівка", name="Велика")
    service = CustomerService(window.session.client, hub=window.session.hub)
    card = window.open_customer(arun(service.create(new)).customer)  # the hub's secret too
    qtbot.waitUntil(lambda: card.findChild(QPushButton, "cash_deposit_button") is not None
                    and len(card.account_panels) == 1, timeout=20000)
    card.findChild(QPushButton, "cash_deposit_button").click()
    qtbot.waitUntil(lambda: window.findChild(CashDialog) is not None, timeout=10000)
    dialog = window.findChild(CashDialog)
    assert dialog.approval is not None  # with the hub: a four-eyes request
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    _active(qtbot, dialog)
    dialog.amount.setText("12000")  # no purpose: the automatic reason is filed
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.approval.request is not None, timeout=15000)
    supervisor = dialog.supervisor_button
    qtbot.waitUntil(supervisor.hasFocus, timeout=2000)

    supervisor.click()
    approve = dialog.approval.dialog
    assert approve is not None
    qtbot.waitUntil(approve.isVisible, timeout=5000)
    lines = _lines(approve)
    teller = window.session.employee.display_name
    assert teller and "@" not in teller  # a name, not the e-mail the hub keeps as maker
    assert len(lines) == 4, lines
    assert lines[0] == f"Customer: Готівка Велика (login {new.login})", lines
    assert re.fullmatch(f"Requested by {re.escape(teller)} on {WHEN}", lines[1]), lines
    assert lines[2] == (f"Change: Cash deposit 12,000.00\u00a0UAH to "
                        f"{dialog.account_label.text()}"), lines
    assert lines[3] == "Reason: Cash above the teller's limit", lines

    _active(qtbot, approve)
    approve.reject()
    _focus_comes_back(qtbot, supervisor)
    dialog.draft_settled = True  # closed without a prompt; the till's close voids the draft
    dialog.reject()
