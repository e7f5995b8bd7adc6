"""Enter and Return press a focused button that is not in a dialog (a customer card's).

Qt's auto-default is "on inside a QDialog" when left unset, so elsewhere a focused button
answered only Space. Switched on explicitly it holds in any window: ``QPushButton`` then
clicks itself on Return and on the keypad's Enter. Outside a dialog there is no default
button, so nothing else can take that Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget


def press_on_enter(*buttons: QPushButton) -> None:
    for button in buttons:
        button.setAutoDefault(True)


def enter_stays_on(focused: QWidget | None, event: QKeyEvent) -> bool:
    """True (the dialog's ``keyPressEvent`` accepts it and stops) for Enter on a focused
    button that does not take Enter itself (auto-default off: Cancel, Confirm, Void): in a
    dialog it would reach the default button instead (Approve, the supervisor's)."""
    return (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and isinstance(focused, QPushButton) and not focused.autoDefault())
