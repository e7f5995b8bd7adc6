"""After an unlock the keyboard is where it was when the desk locked (the real main window,
the real sandbox checks the password): typing goes on in that field. When that field is gone
meanwhile, the search box takes the keys, never the banner's ✕ (Space closed the banner)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout
from shiboken6 import isValid

from .conftest import TELLER, password_of


def _lock(qtbot: Any, window: Any) -> Any:
    locker = window.supervision.locker
    with qtbot.waitSignal(locker.locked, timeout=3000):
        window.supervision.lock_action.trigger()  # Ctrl+L
    window.activateWindow()  # a window manager's part when a dialog was hidden
    qtbot.waitUntil(locker.screen.password.hasFocus, timeout=3000)
    return locker


def _unlock(qtbot: Any, locker: Any, password: str) -> None:
    qtbot.keyClicks(locker.screen.password, password)
    with qtbot.waitSignal(locker.unlocked, timeout=15000):
        qtbot.keyClick(locker.screen.password, Qt.Key.Key_Return)


def test_unlock_gives_the_focus_back_where_it_was(qtbot, main_window, sandbox) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    password = password_of(sandbox, TELLER)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    table = window.search_panel.table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=20000)
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(table.hasFocus, timeout=2000)

    locker = _lock(qtbot, window)
    _unlock(qtbot, locker, password)
    assert QApplication.focusWidget() is table

    # A field in a dialog: it comes back with its dialog, the keys go on into it.
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    field.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClicks(field, "Shev")
    locker = _lock(qtbot, window)
    _unlock(qtbot, locker, password)
    qtbot.waitUntil(field.hasFocus, timeout=3000)
    qtbot.keyClicks(QApplication.focusWidget(), "chenko")
    assert field.text() == "Shevchenko"

    # That field gone while locked: the search box, not whatever follows on the page.
    locker = _lock(qtbot, window)
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=3000)
    _unlock(qtbot, locker, password)
    search = window.search_panel.search_box
    qtbot.waitUntil(search.hasFocus, timeout=3000)

