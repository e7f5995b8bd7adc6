"""A box or dialog closed gives the keyboard back to what had it as it opened: the customer
form's "Unsaved changes" kept (Esc: back in the field the teller was typing in), and the cash
dialog closed after a confirmed deposit (Enter on Close: back on the card). Nothing here
activates a window when one closes (offscreen, as under a window manager that does not): the
desk does it, or the next keys are lost. The real desk against the sandbox, by keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget

from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.customer_form import CustomerForm

from .conftest import new_customer


def _active(qtbot: Any, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def _key(qtbot: Any, key: Qt.Key, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    """A key where the keyboard is (as the teller presses it)."""
    focused = QApplication.focusWidget()
    assert focused is not None, "the keyboard is nowhere"
    qtbot.keyClick(focused, key, modifier)


def test_keep_editing_gives_the_field_its_keys_back(qtbot: Any, main_window: Any) -> None:
    window = main_window
    _active(qtbot, window)
    _key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(CustomerForm) is not None, timeout=5000)
    form = window.findChild(CustomerForm)
    form.surname.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.surname, timeout=5000)
    qtbot.keyClicks(form.surname, "Shevchenko")

    _key(qtbot, Qt.Key.Key_Escape)  # the form is dirty: asked first
    qtbot.waitUntil(lambda: form.findChild(QMessageBox, "discardChangesBox") is not None,
                    timeout=5000)
    box = form.findChild(QMessageBox, "discardChangesBox")
    qtbot.waitUntil(box.isVisible, timeout=5000)
    _active(qtbot, box)
    _key(qtbot, Qt.Key.Key_Escape)  # Keep editing
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)

    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.surname, timeout=5000)
    qtbot.keyClicks(QApplication.focusWidget(), " T.")  # the next keys land in the field
    assert form.surname.text() == "Shevchenko T."
    assert window.findChild(CustomerForm) is form and form.isVisible()


def test_closing_the_cash_dialog_gives_the_card_its_keys_back(
        qtbot: Any, main_window: Any, sandbox: Any, arun: Any) -> None:
    window = main_window
    client = window.session.client
    created = arun(client.create_customer(new_customer(sandbox, window.session,
                                                       surname="Фокус", name="Каса")))
    card = window.open_customer(arun(client.get_customer(created.customer_guid)))
    qtbot.waitUntil(lambda: len(card.account_panels) == 1, timeout=15000)
    _active(qtbot, window)
    card.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is card, timeout=5000)

    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    _key(qtbot, Qt.Key.Key_D, ctrl_shift)  # cash deposit
    qtbot.waitUntil(lambda: window.findChild(CashDialog) is not None, timeout=10000)
    dialog = window.findChild(CashDialog)
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.context is not None, timeout=10000)
    _active(qtbot, dialog)
    dialog.amount.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.amount, timeout=5000)
    qtbot.keyClicks(dialog.amount, "150")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    _key(qtbot, Qt.Key.Key_Return)  # creates the draft; Confirm is then focused
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.confirm_button, timeout=15000)
    with qtbot.waitSignal(dialog.confirmed, timeout=15000):
        _key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.receipt_dialog is not None
                    and dialog.receipt_dialog.isVisible(), timeout=15000)
    receipt = dialog.receipt_dialog
    _active(qtbot, receipt)
    _key(qtbot, Qt.Key.Key_Escape)  # the receipt read: the keys are on Close
    qtbot.waitUntil(lambda: not receipt.isVisible(), timeout=5000)
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is close, timeout=5000)

    _key(qtbot, Qt.Key.Key_Return)  # Close
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is card, timeout=5000)
    assert QApplication.activeWindow() is window
