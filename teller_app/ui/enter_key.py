"""Enter and Return press a focused button that is not in a dialog (a customer card's).

Qt's auto-default is "on inside a QDialog" when left unset, so elsewhere a focused button
answered only Space. Switched on explicitly it holds in any window: ``QPushButton`` then
clicks itself on Return and on the keypad's Enter. Outside a dialog there is no default
button, so nothing else can take that Enter."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def press_on_enter(*buttons: QPushButton) -> None:
    for button in buttons:
        button.setAutoDefault(True)
