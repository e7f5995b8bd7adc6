"""The lock screen's page: who is signed in, their password, a different employee's sign-in
and (lock_modes.add_sign_out) Sign out, in one centred column. No customer data."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui import theme
from teller_app.ui.a11y_form import plain
from teller_app.ui.untrusted import plain_label, shown, shown_lines

COLUMN_WIDTH = 420  # the lock screen's column at most (px): the password field is short
COLUMN_STRETCH = 100  # the column takes its width first; the bands beside it share the rest
TITLE_SCALE = 1.5
GAP = 12  # px between the column's parts (who, unlock, the other employee, Sign out)


class LockScreen(QWidget):
    """The page shown while locked: no customer data, only who is signed in."""

    unlock_requested = Signal(str)  # password
    switch_requested = Signal(str, str)  # email, password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * TITLE_SCALE)
        self.title.setFont(font)
        self.who = plain_label(QLabel())  # the platform's or the hub's name (wrapped: long)
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)  # the main action, drawn as such
        self.error = _error_label()  # the unlock's; it may quote the platform's or hub's words
        self.sign_out_button: QPushButton | None = None  # lock_modes.add_sign_out
        # What the texts are made from, so a language switch remakes them.
        self._employee = ""
        self._error: Callable[[], str] | None = None
        self._other_error: Callable[[], str] | None = None

        self.other_email = QLineEdit()
        self.other_password = QLineEdit()
        self.other_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.switch_button = QPushButton()
        self.other_error = _error_label()  # a refused switch, beside what was typed for it
        other = self.other_box = QGroupBox()
        self.other_email_label, self.other_password_label = QLabel(), QLabel()  # a11y: buddies
        form = QFormLayout(other)
        form.addRow(self.other_email_label, self.other_email)
        form.addRow(self.other_password_label, self.other_password)
        form.addRow(self.other_error)
        form.addRow(self.switch_button)

        # One centred column, not the whole window's width: a lock screen is a short form.
        self.column = QWidget(self)
        self.column.setObjectName("lockColumn")
        self.column.setMaximumWidth(COLUMN_WIDTH)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        box = QVBoxLayout(self.column)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addWidget(self.who)
        box.addSpacing(GAP)
        box.addLayout(row)
        box.addWidget(self.error)
        box.addSpacing(GAP)
        box.addWidget(other)
        box.addSpacing(GAP)
        self.secondary = QHBoxLayout()  # Sign out, small and last (set_sign_out)
        box.addLayout(self.secondary)
        # A grid, not a box layout: the column is centred, the bands beside it stay empty.
        grid = QGridLayout(self)
        grid.addWidget(self.column, 1, 1)
        for index, stretch in ((0, 1), (1, COLUMN_STRETCH), (2, 1)):
            grid.setColumnStretch(index, stretch)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(2, 3)
        self.retranslate()

        self.unlock_button.clicked.connect(self._unlock)
        self.password.returnPressed.connect(self._unlock)
        self.switch_button.clicked.connect(self._switch)
        self.other_password.returnPressed.connect(self._switch)

    def retranslate(self) -> None:
        """Every text in the current language (a live switch), the error and who is signed
        in remade from what caused them."""
        self.title.setText(self.tr("The session is locked"))
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.password.placeholderText())
        self.unlock_button.setText(self.tr("Unlock"))
        self.other_email.setPlaceholderText(self.tr("name@bank"))
        self.switch_button.setText(self.tr("Sign in as this employee"))
        self.other_box.setTitle(self.tr("A different employee"))
        for label, field, text in ((self.other_email_label, self.other_email, self.tr("E-mail")),
                                   (self.other_password_label, self.other_password,
                                    self.tr("Password"))):
            label.setText(text)
            field.setAccessibleName(text)
        if self.sign_out_button is not None:
            self.sign_out_button.setText(self.tr("Sign &out"))
            self.sign_out_button.setAccessibleName(plain(self.sign_out_button.text()))
        self.set_employee(self._employee)
        _say(self.error, self._error)
        _say(self.other_error, self._other_error)

    def set_sign_out(self, button: QPushButton) -> None:
        """``button`` (Sign out) as a small secondary action after the others, last in the
        Tab order (once: lock_modes.add_sign_out)."""
        self.sign_out_button = button
        if self.secondary.indexOf(button) < 0:
            self.secondary.addStretch(1)
            self.secondary.addWidget(button)
            self.secondary.addStretch(1)
        self._order_tabs()

    def _order_tabs(self) -> None:
        """Tab goes as the column reads: unlock, the other employee's form, Sign out."""
        chain: list[QWidget] = [self.password, self.unlock_button, self.other_email,
                                self.other_password, self.switch_button]
        if self.sign_out_button is not None:
            chain.append(self.sign_out_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_employee(self, label: str) -> None:
        self._employee = label
        self.who.setText(self.tr("Signed in: %1").replace("%1", shown(label)) if label else "")

    def show_error(self, make: Callable[[], str], field: QLineEdit | None = None) -> None:
        """Show ``make()`` (kept, so a language switch remakes it) by the form it is about:
        the other employee's box for its password (``field``), else under Unlock; the other
        form's older error goes. That password (default: the unlock one) is cleared and
        focused: the employee retypes at once, and no key lands on another control."""
        other = field is self.other_password
        self._error, self._other_error = (None, make) if other else (make, None)
        _say(self.error, self._error)
        _say(self.other_error, self._other_error)
        self.set_busy(False)
        target = field if field is not None else self.password
        target.clear()
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        # Read-only, not disabled: the focus stays put (a disabled field hands it to Sign out).
        for field in (self.password, self.other_email, self.other_password):
            field.setReadOnly(busy)
        for button in (self.unlock_button, self.switch_button):
            button.setEnabled(not busy)

    def reset(self) -> None:
        """Forget every typed secret (called on lock and unlock)."""
        for field in (self.password, self.other_password, self.other_email):
            field.clear()
        self._error = self._other_error = None
        _say(self.error, None)
        _say(self.other_error, None)
        self.set_busy(False)

    def _unlock(self) -> None:
        if self.password.isReadOnly():
            return  # busy: the password already sent is being checked
        if not self.password.text():  # said, not silently ignored; nothing is sent
            self.show_error(lambda: self.tr("Enter your password."))
            return
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)  # not on a disabled button
        self.set_busy(True)
        self.unlock_requested.emit(self.password.text())

    def _switch(self) -> None:
        if self.other_password.isReadOnly():
            return  # busy: a switch is being checked
        if not self.other_email.text().strip():  # said in the box; nothing is sent
            self._say_in_other_box(lambda: self.tr("Enter the employee's e-mail."),
                                   self.other_email)
            return
        if not self.other_password.text():
            self._say_in_other_box(lambda: self.tr("Enter the employee's password."),
                                   self.other_password)
            return
        self.other_password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.set_busy(True)
        self.switch_requested.emit(self.other_email.text().strip(), self.other_password.text())

    def _say_in_other_box(self, make: Callable[[], str], field: QLineEdit) -> None:
        """An empty field of the other employee's form: said in that box (kept for a language
        switch), the focus on the field; nothing typed is cleared."""
        self._error, self._other_error = None, make
        _say(self.error, None)
        _say(self.other_error, make)
        field.setFocus(Qt.FocusReason.OtherFocusReason)


def _error_label() -> QLabel:
    label = plain_label(QLabel())
    label.setStyleSheet(theme.error_style())
    label.hide()  # no empty gap while there is nothing to say
    return label


def _say(label: QLabel, make: Callable[[], str] | None) -> None:
    """``label`` shows ``make()`` (a message that may quote the platform), or is hidden."""
    label.setText(shown_lines(make()) if make is not None else "")
    label.setVisible(make is not None)
