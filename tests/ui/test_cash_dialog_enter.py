"""Enter in the cash dialog against the real sandbox, past the teller's limit: the supervisor's
button is the next step (focused, the default: Enter in the amount field opens it too), Enter
on a focused Close reaches nothing, Void is never the default, and the harmless
buttons (the supervisor's, Receipt…, Check again) take Enter when focused."""

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
from teller_app.ui.cash_dialog import CashDialog

DESK = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир Олена", "", "")


def _active(qtbot: Any, window: QWidget) -> None:
    """Offscreen nothing re-activates a window when a dialog over it closes: as a WM would."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def test_enter_reaches_the_supervisor_then_the_receipt(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
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
    _active(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    # Which buttons take Enter when focused: never Confirm or Void (nor Create: Enter in the
    # fields is the next step already), the harmless ones always.
    assert not any(b.autoDefault() for b in (dialog.create_button, dialog.confirm_button,
                                             dialog.void_button))
    assert all(b.autoDefault() for b in (dialog.supervisor_button, dialog.receipt_button,
                                         dialog.check_button))

    dialog.amount.setFocus()
    qtbot.keyClicks(dialog.amount, "12000")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)  # after the policy check
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter creates the draft
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.draft.needs_supervisor and not dialog.confirm_button.isVisible()

    # The supervisor's button is the next step: focused, and the dialog's default.
    supervisor = dialog.supervisor_button
    assert supervisor.isVisible() and supervisor.isDefault() and supervisor.hasFocus()
    assert not dialog.void_button.isDefault() and not dialog.confirm_button.isDefault()

    # Enter on a focused button that does not take it stays there: nothing opens.
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    close.setFocus()
    qtbot.keyClick(close, Qt.Key.Key_Return)
    assert dialog.in_place is None and dialog.isVisible() and dialog.leave_prompt is None

    # Enter in the amount field (nothing left there to submit) opens the supervisor's dialog.
    dialog.amount.setFocus()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    first = dialog.in_place
    assert first is not None
    qtbot.waitUntil(first.isVisible, timeout=5000)
    assert dialog.draft is not None and dialog.receipt is None  # nothing else happened
    first.reject()
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=5000)
    _active(qtbot, dialog)

    # Enter on the focused supervisor's button opens it again; Enter after the password
    # confirms (the supervisor's own session).
    supervisor.setFocus()
    qtbot.keyClick(supervisor, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    approve = dialog.in_place
    assert approve is not None and approve is not first
    qtbot.waitUntil(approve.isVisible, timeout=5000)
    qtbot.keyClicks(approve.email, SUPERVISOR)
    qtbot.keyClicks(approve.password, employee(sandbox, SUPERVISOR)["password"])
    with qtbot.waitSignal(dialog.receipt_shown, timeout=15000):
        qtbot.keyClick(approve.password, Qt.Key.Key_Return)
    assert dialog.receipt is not None and dialog.receipt.amount == Decimal("12000.00")

    # The receipt was shown at once; Enter on the focused Receipt… shows it again.
    shown = dialog.receipt_dialog
    assert shown is not None
    shown.close()
    _active(qtbot, dialog)
    dialog.receipt_button.setFocus()
    with qtbot.waitSignal(dialog.receipt_shown, timeout=5000):
        qtbot.keyClick(dialog.receipt_button, Qt.Key.Key_Return)
    assert dialog.receipt_dialog is not shown
    dialog.receipt_dialog.close()
    dialog.close()
    arun(client.aclose())
