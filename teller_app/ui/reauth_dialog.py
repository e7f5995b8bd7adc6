"""The small "your session has expired" password prompt (opened with ``open()``, never
``exec()``): the work underneath stays as it is, and the pending actions run again after it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui import theme
from teller_app.ui.untrusted import plain_label, shown_lines


class ReauthDialog(QDialog):
    password_entered = Signal(str)

    def __init__(self, employee: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reauthDialog")
        self.setWindowTitle(self.tr("Sign in again"))
        # ``employee``: session_info.describe_employee (names made safe), in a plain label
        self.message = plain_label(QLabel(self.tr(
            "Your session with the platform has ended. Enter the password of %1 to continue: "
            "nothing you typed is lost.").replace("%1", employee)))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("reauthPassword")
        self.error = plain_label(QLabel())  # it may quote the platform's or the hub's words
        self.error.setStyleSheet(theme.error_style())
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.password, self.error, self.buttons):
            layout.addWidget(widget)

    def _submit(self) -> None:
        if self.password.text():
            self.set_busy(True)
            self.password_entered.emit(self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.error.setText(shown_lines(text))
        self.error.show()
        self.password.clear()
        self.set_busy(False)
        self.password.setFocus()
