"""Closing a tab by keys leaves the focus on the page now showing, where that page keeps it —
not on the tab bar, nor on the main window's banner ✕ (Enter there dismissed the banner):
Ctrl+W on card B gives card A's focused button back; Esc on an unchanged Edit form gives its
card back; closing the last tab gives the search box."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.customer_form import CustomerForm

from .conftest import new_customer


def _card(qtbot: Any, arun: Any, window: Any, sandbox: Any, surname: str) -> CustomerCard:
    created = arun(window.session.client.create_customer(
        new_customer(sandbox, window.session, surname=surname, name="Таб")))
    card = window.open_customer(arun(window.session.client.get_customer(
        created.customer_guid)))
    qtbot.waitUntil(lambda: len(card.account_panels) == 1, timeout=15000)
    return card


def _on(page: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is page or page.isAncestorOf(focus))


def _focus_name() -> str:
    focus = QApplication.focusWidget()
    return f"{type(focus).__name__}:{focus.objectName()}" if focus is not None else "<none>"


def test_closing_a_tab_focuses_the_page_now_showing(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    card_a = _card(qtbot, arun, window, sandbox, "Перша")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    card_a.edit_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(card_a.edit_button.hasFocus, timeout=2000)
    card_b = _card(qtbot, arun, window, sandbox, "Друга")
    assert window.tabs.currentWidget() is card_b
    window.banner.show_message("Something to say", "info")  # its ✕ is a Tab stop too

    # Ctrl+W on card B: card A shows, with its focus where it was (Edit)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tabs.indexOf(card_b) < 0, timeout=5000)
    assert window.tabs.currentWidget() is card_a
    assert _on(card_a), _focus_name()
    assert card_a.edit_button.hasFocus(), _focus_name()

    # Esc on an unchanged Edit form: its card again, with the focus on it
    qtbot.keyClick(card_a.edit_button, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), CustomerForm), timeout=5000)
    form = window.tabs.currentWidget()
    assert form.first_field().hasFocus()
    qtbot.keyClick(form.first_field(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.tabs.indexOf(form) < 0, timeout=5000)
    assert window.tabs.currentWidget() is card_a
    assert _on(card_a), _focus_name()
    assert window.banner.isVisible()  # the banner's ✕ was not what Esc left under the keys

    # the last card closed: the search box, as before
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tabs.count() == 1, timeout=5000)
    assert window.search_panel.search_box.hasFocus(), _focus_name()


def test_a_tab_closed_behind_the_search_keeps_the_focus(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    """A background tab closed (a form or card closed by the desk) while the search page shows
    and the keyboard is elsewhere in the window (the banner, a dock) does not pull the focus
    into the search box."""
    window = main_window
    card = _card(qtbot, arun, window, sandbox, "Третя")
    window.tabs.setCurrentIndex(0)  # the search page shows, the card behind it
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.banner.show_message("Something to say", "info")
    close = window.banner.findChild(QWidget, "bannerClose") or next(
        b for b in window.banner.findChildren(QWidget) if b.focusPolicy() & Qt.FocusPolicy.TabFocus)
    close.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(close.hasFocus, timeout=2000)
    window._close_tab(window.tabs.indexOf(card))
    assert window.tabs.indexOf(card) < 0
    assert close.hasFocus(), _focus_name()
