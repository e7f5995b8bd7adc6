"""A supervisor's wrong password in the in-place dialog, by keys, against the real sandbox:
the dialog says "Wrong e-mail or password." (their sign-in, not the teller's session), the
keyboard is back in the cleared password field (not on Cancel), and retyping it with Enter
confirms. Each field and button has its own Alt+letter, in English and in Ukrainian."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QWidget

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
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.till_cosign_here import cosign_here
from tests.ui.test_accelerators_unique import clashes, language, mnemonic  # noqa: F401

WRONG = "Wrong e-mail or password."


def _shown(qtbot: Any, dialog: Any) -> None:
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)


def test_a_wrong_password_leaves_the_keys_in_the_password_field(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
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
                        supervisor_confirm=supervisor_confirm)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText("12000")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    dialog.supervisor_button.click()
    approve = dialog.in_place
    assert approve is not None
    _shown(qtbot, approve)
    cancel = approve.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert not cancel.autoDefault() and approve.approve_button.isDefault()

    # Enter with the password missing: the keyboard goes to the empty field.
    approve.email.setFocus()
    qtbot.keyClicks(approve.email, SUPERVISOR)
    qtbot.keyClick(approve.email, Qt.Key.Key_Return)
    assert approve.error.text() == "Enter the supervisor's e-mail and password."
    assert approve.password.hasFocus()

    qtbot.keyClicks(approve.password, "wrong-password")
    qtbot.keyClick(approve.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: approve.error.text() != "", timeout=15000)
    assert approve.error.text() == WRONG  # theirs: never "your session has expired"
    assert approve.isVisible() and approve.password.text() == ""
    qtbot.waitUntil(approve.password.hasFocus, timeout=2000)
    assert QApplication.focusWidget() is not cancel
    assert approve.email.isEnabled() and not approve.email.isReadOnly()

    # Retyped where the keyboard is, Enter confirms (it never cancels).
    qtbot.keyClicks(QApplication.focusWidget(), employee(sandbox, SUPERVISOR)["password"])
    with qtbot.waitSignal(dialog.confirmed, timeout=15000) as confirmed:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert confirmed.args[0].amount == Decimal("12000.00")
    dialog.close()
    arun(client.aclose())


def test_enter_on_a_focused_cancel_does_not_approve(qtbot) -> None:  # type: ignore[no-untyped-def]
    approve = ApproveInPlaceDialog("Approve the change.")
    qtbot.addWidget(approve)
    approve.show()
    _shown(qtbot, approve)
    approve.email.setText(SUPERVISOR)
    approve.password.setText("secret")
    cancel = approve.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setFocus()
    with qtbot.assertNotEmitted(approve.decided):
        qtbot.keyClick(cancel, Qt.Key.Key_Return)
    assert approve.isVisible()


def test_a_co_sign_here_with_a_wrong_password_says_so(qtbot, ops, sandbox) -> None:  # type: ignore[no-untyped-def]
    """The till co-sign's path (``till_cosign_here``) words the refusal the same way."""
    parent = QWidget()
    qtbot.addWidget(parent)
    profile = profile_for(sandbox)
    approve = cosign_here(parent, ops, "Co-sign the opening count of T-1.", "Co-signing",
                          lambda email, password: cosign_with_credentials(
                              profile, email, password, "till-1"), lambda _till: None)
    _shown(qtbot, approve)
    approve.email.setText(SUPERVISOR)
    approve.password.setText("wrong-password")
    approve.approve_button.click()
    qtbot.waitUntil(lambda: approve.error.text() != "", timeout=15000)
    assert approve.error.text() == WRONG
    qtbot.waitUntil(approve.password.hasFocus, timeout=2000)
    approve.reject()


def test_the_in_place_letters_are_unique(qtbot: Any, language: str) -> None:  # noqa: F811
    approve = ApproveInPlaceDialog("Approve the change.")
    qtbot.addWidget(approve)
    approve.show()
    labels = {label.buddy(): label for label in approve.findChildren(QLabel)
              if label.buddy() is not None}
    fields = (approve.email, approve.password, approve.comment)
    assert all(field in labels and mnemonic(labels[field].text()) for field in fields)
    assert all(mnemonic(b.text()) for b in (approve.approve_button, approve.reject_button))
    assert clashes(approve) == {}
