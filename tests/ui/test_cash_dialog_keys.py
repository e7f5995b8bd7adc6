"""A cash deposit by keyboard alone against the real sandbox, below the teller's limit: Enter
in the purpose creates the draft; then Confirm is the next step the screen shows (focused, the
default), so the Enter that confirms is the one on it, and an Enter while it runs does
nothing. After the receipt closes the keyboard is on Close, the default: Enter closes. The
receipt prints on the standard Print key (Ctrl+P)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.receipt_dialog import ReceiptDialog

DESK = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир Олена", "", "")


def _active(qtbot: Any, window: QWidget) -> None:
    """Offscreen nothing activates a window as it is shown: as a WM would."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _enter(qtbot: Any) -> None:
    """Enter where the keyboard is (as the teller presses it)."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Return)


def _service(sandbox: Any, arun: Any) -> tuple[CashService, str]:
    """The teller's cash service (limit 10 000.00) and a new customer's GUID."""
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    branch = sandbox.manifest["branches"][0]
    return CashService(client, branch["guid"], branch["processing_account_guid"],
                       Decimal("10000.00")), guid


def _deposit_dialog(qtbot: Any, ops: Any, service: CashService, guid: str) -> CashDialog:
    """A deposit dialog shown, active, its customer read."""
    from teller_app.platform.models import Customer

    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT,
                        desk=DESK)
    qtbot.addWidget(dialog)
    dialog.show()
    _active(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    return dialog


def test_a_deposit_by_keyboard_shows_each_step_enter_takes(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    service, guid = _service(sandbox, arun)
    confirms: list[str] = []
    real_confirm = service.confirm

    async def counted(payment_guid: str, **kwargs: Any) -> Any:
        confirms.append(payment_guid)
        return await real_confirm(payment_guid, **kwargs)

    service.confirm = counted  # type: ignore[method-assign]
    dialog = _deposit_dialog(qtbot, ops, service, guid)

    dialog.amount.setFocus()
    qtbot.keyClicks(dialog.amount, "250.50")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Tab)
    assert dialog.purpose.hasFocus()
    qtbot.keyClicks(dialog.purpose, "Top-up")  # QTest types Latin-1 only
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)  # after the policy check
    assert [b.text() for b in dialog.buttons.buttons() if b.isDefault() and b.isVisible()] == []
    _enter(qtbot)  # Enter in the purpose creates the draft
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.purpose.isReadOnly() and dialog.amount.isReadOnly()
    assert not dialog.draft.needs_supervisor and dialog.receipt is None and confirms == []

    # Confirm is the next step: focused, drawn as the default (the over-limit path's look).
    confirm = dialog.confirm_button
    assert confirm.isVisible() and confirm.isEnabled()
    assert confirm.hasFocus() and confirm.isDefault()
    assert not dialog.void_button.isDefault()
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert not close.isDefault()

    # Enter on it confirms; Enter again while it runs (where the keyboard went, and in the
    # read-only purpose) does nothing.
    with qtbot.waitSignal(dialog.receipt_shown, timeout=15000):
        _enter(qtbot)
        qtbot.waitUntil(lambda: not confirm.isEnabled(), timeout=5000)  # the press has landed
        assert dialog.receipt is None
        _enter(qtbot)
        qtbot.keyClick(dialog.purpose, Qt.Key.Key_Return)
        assert dialog.isVisible()
    assert confirms == [dialog.draft.payment_guid]
    assert dialog.receipt is not None and dialog.receipt.amount == Decimal("250.50")

    # The receipt closed (Esc), the keyboard is on Close, the default: Enter closes.
    shown = dialog.receipt_dialog
    assert shown is not None
    qtbot.waitUntil(shown.isVisible, timeout=5000)
    _active(qtbot, shown)
    qtbot.keyClick(shown, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shown.isVisible(), timeout=5000)
    qtbot.waitUntil(close.hasFocus, timeout=5000)
    assert close.isDefault() and not dialog.purpose.hasFocus()
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        _enter(qtbot)
    assert not dialog.isVisible() and len(confirms) == 1
    arun(service.client.aclose())


def test_the_receipt_prints_on_the_standard_print_key(qtbot: Any, ops: Any) -> None:
    payment = Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "250.50",
        "asset_code": "UAH", "category": "01", "purpose": "Поповнення",
        "status": "CONFIRMED", "created_at": "2026-12-05T08:00:00Z"})
    receipt = build_receipt(payment, DESK, "en")
    dialog = ReceiptDialog(receipt, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    _active(qtbot, dialog)
    assert dialog.print_dialog is None
    print_key = QKeySequence(QKeySequence.StandardKey.Print)
    assert not print_key.isEmpty()
    qtbot.keySequence(dialog, print_key)
    printing = dialog.print_dialog
    assert isinstance(printing, QPrintDialog)
    qtbot.waitUntil(printing.isVisible, timeout=5000)
    printing.reject()
    assert not printing.isVisible()


def test_a_confirm_in_doubt_makes_check_again_what_enter_does(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    """No answer to the confirm: Enter (in a field or on the focused button) reads the
    payment's outcome (Check again, now the default), it does not send Confirm again."""
    service, guid = _service(sandbox, arun)
    dialog = _deposit_dialog(qtbot, ops, service, guid)
    dialog.amount.setText("120.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_draft()
    qtbot.waitUntil(lambda: dialog.draft is not None and dialog.confirm_button.isDefault(),
                    timeout=10000)
    dialog.in_doubt_now()  # as a confirm whose answer was lost
    # (focused too, until the check it starts disables it while it reads)
    assert dialog.check_button.isDefault() and not dialog.confirm_button.isDefault()
    ops.cancel_all()
