"""The supervisor's approve-in-place dialog, opened from the cash dialog against the real
sandbox: the summary names the customer, Enter approves (never Cancel), and Tab follows the
screen (e-mail, password, comment when there is one, Approve, Reject when offered, Cancel)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import (
    SUPERVISOR,
    TELLER,
    client_for,
    employee,
    new_customer,
    profile_for,
)

from teller_app.core.cash import CashKind, CashReceipt, CashService, confirm_with_credentials
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.cash_dialog import CashDialog

DESK = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир Олена", "", "")


def tab_walk(qtbot: Any, dialog: QWidget, first: QWidget) -> list[QWidget]:
    """Focus ``first``, press Tab until focus comes back to it; what got focus, in order."""
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus, timeout=2000)
    seen = [first]
    for _ in range(20):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is first:
            return seen
        seen.append(focus)
    raise AssertionError(f"Tab never came back: {seen}")


def test_enter_approves_a_cash_deposit_for_the_named_customer(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    from teller_app.platform.models import Customer

    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    profile = profile_for(sandbox)

    async def supervisor_confirm(email: str, password: str, payment: str) -> CashReceipt:
        return await confirm_with_credentials(profile, email, password, payment, branch["guid"])

    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT,
                        supervisor_confirm=supervisor_confirm, desk=DESK)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText("12000")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)  # after the policy check
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.supervisor_button.isVisible()
    dialog.supervisor_button.click()
    approve = dialog.in_place
    assert approve is not None
    qtbot.waitUntil(approve.isVisible, timeout=5000)

    # Whose cash it is and who asks, in the inbox's order (ui/approvals_detail).
    lines = approve.summary.text().translate({0x2068: None, 0x2069: None}).split("\n")
    assert lines[0].startswith("Customer: Нагляд Тест (login sup-test-"), lines
    assert lines[1].startswith("Requested by Касир Олена on "), lines
    assert lines[2].startswith("Change: Cash deposit 12,000.00\u00a0UAH to UA"), lines
    assert lines[3:] == ["Reason: Cash above the teller's limit"], lines
    # Approve is the default; no comment is asked where none is kept.
    cancel = approve.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert approve.approve_button.isDefault() and not cancel.isDefault()
    assert not approve.comment.isVisible() and not approve.reject_button.isVisible()
    assert tab_walk(qtbot, approve, approve.email) == [
        approve.email, approve.password, approve.approve_button, cancel]

    # Enter with nothing typed asks for the credentials and stays open.
    approve.email.setFocus()
    qtbot.keyClick(approve.email, Qt.Key.Key_Return)
    assert approve.isVisible()
    assert approve.error.text() == "Enter the supervisor's e-mail and password."

    # Enter after the password approves: the supervisor's session confirms the deposit.
    qtbot.keyClicks(approve.email, SUPERVISOR)
    qtbot.keyClicks(approve.password, employee(sandbox, SUPERVISOR)["password"])
    with qtbot.waitSignal(dialog.confirmed, timeout=15000) as confirmed:
        qtbot.keyClick(approve.password, Qt.Key.Key_Return)
    assert confirmed.args[0].amount == Decimal("12000.00")
    assert arun(client.get_customer_accounts(guid))[0].assets[0].balance == Decimal("12000.00")
    dialog.close()
    arun(client.aclose())


def test_tab_order_with_a_comment_and_reject(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The form with Reject (a filed request decided here): the comment and Reject join the
    walk where they are on the screen."""
    approve = ApproveInPlaceDialog("Approve the change.")
    qtbot.addWidget(approve)
    approve.show()
    qtbot.waitUntil(approve.isVisible, timeout=5000)
    cancel = approve.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert approve.comment.isVisible() and approve.reject_button.isVisible()
    assert approve.approve_button.isDefault()
    assert tab_walk(qtbot, approve, approve.email) == [
        approve.email, approve.password, approve.comment, approve.approve_button,
        approve.reject_button, cancel]
    with qtbot.waitSignal(approve.decided, timeout=5000) as decided:
        approve.email.setText(SUPERVISOR)
        approve.password.setText("secret")
        qtbot.keyClick(approve.comment, Qt.Key.Key_Return)  # Enter in the comment approves too
    assert decided.args[0] == "approved"
