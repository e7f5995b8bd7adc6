"""The small "your session has expired" password prompt (opened with ``open()``, never
``exec()``): the work underneath stays as it is, and the pending actions run again after it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui import theme
from teller_app.ui.a11y_form import name
from teller_app.ui.untrusted import plain_label, shown_lines
from teller_app.ui.wrapped_text import grow_to_fit

MIN_WIDTH = 420  # px of the message: a few wrapped lines, not a narrow column


class ReauthDialog(QDialog):
    password_entered = Signal(str)

    def __init__(self, employee: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reauthDialog")
        self.setWindowTitle(self.tr("Sign in again"))
        # ``employee``: the employee's name only (made safe: ui/untrusted.shown), plain label
        self.message = plain_label(QLabel(self.tr(
            "Your session with the platform has ended. Enter the password of %1 to continue: "
            "nothing you typed is lost.").replace("%1", employee)))
        self.message.setMinimumWidth(MIN_WIDTH)  # the layout sets the dialog's minimum
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("reauthPassword")
        name(self.password, self.tr("Password"))  # what a screen reader says: no label here
        self.error = plain_label(QLabel())  # it may quote the platform's or the hub's words
        self.error.setStyleSheet(theme.error_style())
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # never below its texts; grow_to_fit: to their wrapped height (an error came)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        for widget in (self.message, self.password, self.error, self.buttons):
            layout.addWidget(widget)

    def _submit(self) -> None:
        if not self.password.text():
            self._say(self.tr("Enter your password."))
            self.password.setFocus()
            return
        self.set_busy(True)
        self.password_entered.emit(self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self._say(shown_lines(text))
        self.password.clear()
        self.set_busy(False)
        self.password.setFocus()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        grow_to_fit(self)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # the error line came or rewrapped
            grow_to_fit(self)
        return handled
