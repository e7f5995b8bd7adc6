"""A customer card driven by keys alone (the card is a tab of the main window, not a dialog):
Enter and the keypad's Enter press a focused button, Ctrl+H opens the account history, the
scroll area is no Tab stop of its own, and after an account is opened (or the form is
cancelled) the focus is back on "Open additional account…"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QWidget

from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.history import HistoryDialog

from .conftest import new_customer


def _card(qtbot: Any, arun: Any, window: Any, sandbox: Any) -> CustomerCard:
    new = new_customer(sandbox, window.session, surname="Клавіша", name="Ентер")
    created = arun(window.session.client.create_customer(new))
    customer = arun(window.session.client.get_customer(created.customer_guid))
    card = window.open_customer(customer)
    qtbot.waitUntil(lambda: card.findChild(QPushButton, "accountHistoryButton") is not None
                    and len(card.account_panels) == 1, timeout=15000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return card


def _focus(qtbot: Any, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def _history_shown(window: Any) -> HistoryDialog | None:
    dialog = window.findChild(HistoryDialog)
    return dialog if dialog is not None and dialog.isVisible() else None


def _close_history(qtbot: Any, window: Any) -> None:
    dialog = _history_shown(window)
    assert dialog is not None
    dialog.close()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: _history_shown(window) is None, timeout=5000)
    window.activateWindow()  # offscreen: nothing re-activates the window when a dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def test_enter_presses_the_focused_card_button(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    card = _card(qtbot, arun, window, sandbox)

    # Enter on "Open additional account…" opens its form; Enter on Cancel closes it and the
    # focus goes back to the button (not to whatever follows the hidden form).
    _focus(qtbot, card.open_account_button)
    qtbot.keyClick(card.open_account_button, Qt.Key.Key_Return)
    assert card.open_account_frame.isVisible()
    qtbot.waitUntil(card.open_account_iban.hasFocus, timeout=2000)
    _focus(qtbot, card.open_account_cancel)
    qtbot.keyClick(card.open_account_cancel, Qt.Key.Key_Enter,
                   Qt.KeyboardModifier.KeypadModifier)
    assert not card.open_account_frame.isVisible()
    assert QApplication.focusWidget() is card.open_account_button

    # Enter on Account history… (a button supervision adds to the card) opens it.
    history = next(b for b in card.findChildren(QPushButton, "accountHistoryButton")
                   if b.isVisible())
    _focus(qtbot, history)
    qtbot.keyClick(history, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _history_shown(window) is not None, timeout=5000)
    _close_history(qtbot, window)

    # Ctrl+H from anywhere on the card opens it too.
    _focus(qtbot, card.refresh_button)
    qtbot.keyClick(card.refresh_button, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _history_shown(window) is not None, timeout=5000)
    _close_history(qtbot, window)

    # Enter on "← Search (Esc)" goes back to the search.
    _focus(qtbot, card.back_button)
    with qtbot.waitSignal(card.back_requested, timeout=2000):
        qtbot.keyClick(card.back_button, Qt.Key.Key_Return)


def test_the_focus_after_an_account_is_opened_and_no_scroll_area_stop(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox, arun) -> None:
    window = main_window
    card = _card(qtbot, arun, window, sandbox)

    # Tab walks the card's controls: the scroll area around them is not one of them.
    _focus(qtbot, card.back_button)
    seen: list[QWidget] = []
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is card.back_button or not card.isAncestorOf(focus):
            break
        seen.append(focus)
    assert seen and not [w for w in seen if isinstance(w, QScrollArea)], seen

    _focus(qtbot, card.open_account_button)
    qtbot.keyClick(card.open_account_button, Qt.Key.Key_Return)
    qtbot.waitUntil(card.open_account_iban.hasFocus, timeout=2000)
    with qtbot.waitSignal(card.account_opened, timeout=20000):
        qtbot.keyClick(card.open_account_iban, Qt.Key.Key_Return)  # no IBAN: the platform's
    qtbot.waitUntil(lambda: len(card.account_panels) == 2, timeout=10000)
    assert not card.open_account_frame.isVisible()
    assert QApplication.focusWidget() is card.open_account_button


def test_f1_lists_the_account_history_key(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    sheet = main_window.desk.open_shortcuts()
    try:
        assert ("Customer card", "Account history", "Ctrl+H") in sheet.rows
    finally:
        sheet.close()
