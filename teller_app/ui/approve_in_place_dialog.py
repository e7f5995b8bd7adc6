"""A supervisor approves at the teller's desk with their own credentials.

The credentials go straight into a short-lived session (``core.approvals.decide_in_place``)
that decides this one request and is logged out on the platform and the hub right after;
the password is cleared from the field at once, nothing is stored and the teller's session
is untouched.
``decided(outcome, email, password, comment)`` with outcome "approved" or "rejected".
Enter approves while the comment is empty and rejects once one is typed (a comment is what a
rejection needs); it never cancels.
The dialog is never narrower than ``MIN_WIDTH`` (an e-mail address reads whole) and grows to
fit an error when one appears: no line of the summary or the error is cut. Cancelled, the
keyboard goes back to the widget that had it when the dialog opened (``ui/focus_return``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from teller_app.ui import theme
from teller_app.ui.a11y_form import add_row, tab_chain
from teller_app.ui.enter_key import enter_stays_on
from teller_app.ui.focus_return import focus_before, give_focus_back
from teller_app.ui.untrusted import plain_label, shown_lines
from teller_app.ui.validators import check_text
from teller_app.ui.wrapped_text import grow_to_fit

MIN_WIDTH = 460  # an e-mail address and a summary line (customer, account) read whole

class ApproveInPlaceDialog(QDialog):
    decided = Signal(str, str, str, str)  # outcome, email, password, comment

    def __init__(self, summary: str, parent: QWidget | None = None, *,
                 allow_reject: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Supervisor approval"))
        self.summary = QLabel(summary)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a customer's name
        self.summary.setWordWrap(True)
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("supervisor's e-mail"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.comment = QLineEdit()
        self.comment.setMaxLength(300)
        self.error = plain_label(QLabel())  # it may quote the platform's or the hub's words
        self.error.setObjectName("inPlaceError")
        self.error.setStyleSheet(theme.error_style())
        self.error.setVisible(False)  # no empty gap above the buttons until there is one
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.approve_button = QPushButton(self.tr("&Approve"))
        self.reject_button = QPushButton(self.tr("&Reject"))
        self.buttons.addButton(self.approve_button, QDialogButtonBox.ButtonRole.ActionRole)
        if allow_reject:
            self.buttons.addButton(self.reject_button, QDialogButtonBox.ButtonRole.ActionRole)
        form = QFormLayout(self)
        # never smaller than what it shows: a wrapped error or summary is never squeezed
        form.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        margins = form.contentsMargins()
        # the layout sets the dialog's minimum: its widest row sets the width
        self.summary.setMinimumWidth(MIN_WIDTH - margins.left() - margins.right())
        form.addRow(self.summary)
        # buddies: Alt+letter reaches each field
        add_row(form, self.tr("&E-mail"), self.email)
        add_row(form, self.tr("&Password"), self.password)
        add_row(form, self.tr("Co&mment"), self.comment)
        form.addRow(self.error)
        form.addRow(self.buttons)
        # Without Reject the comment would be dropped (an approval here takes none): not shown.
        form.setRowVisible(self.comment, allow_reject)
        # Enter (typed after the password) approves, never cancels; once a comment is typed
        # it rejects: that comment is a rejection's reason, and a supervisor who typed one
        # and pressed Enter approved what they meant to refuse.
        self.approve_button.setAutoDefault(True)
        self.approve_button.setDefault(True)
        if allow_reject:
            self.comment.textChanged.connect(self._default_follows_comment)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)  # Enter never cancels (Esc or Space on it does)
        # Tab follows the screen: fields top to bottom, then the buttons left to right.
        tab_chain(self.email, self.password, *([self.comment] if allow_reject else []),
                 self.approve_button, *([self.reject_button] if allow_reject else []), cancel)
        self.buttons.rejected.connect(self.reject)
        self._focus_before: QWidget | None = None  # open() remembers it
        self.rejected.connect(self._give_focus_back)
        self.approve_button.clicked.connect(lambda: self._decide("approved"))
        self.reject_button.clicked.connect(lambda: self._decide("rejected"))

    def open(self) -> None:
        self._focus_before = focus_before(self.parentWidget())
        super().open()

    def _give_focus_back(self) -> None:
        give_focus_back(self._focus_before)

    def _default_follows_comment(self, text: str) -> None:
        """A comment (even blanks: a rejection then asks for words) makes Reject the default
        button; emptied, Approve is again."""
        (self.reject_button if text else self.approve_button).setDefault(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on a focused button that does not take it (Cancel) stays there: it does not
        reach the default button (Approve, or Reject once a comment is typed)."""
        if enter_stays_on(self.focusWidget(), event):
            event.accept()
            return
        super().keyPressEvent(event)

    def show_error(self, text: str) -> None:
        """The refusal, and the supervisor back in the (cleared) password field to retype."""
        self._set_error(shown_lines(text))
        self.set_busy(False)
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        # Read-only, not disabled: the focus stays put (a disabled field handed it to Cancel,
        # where the next Enter cancelled and retyped keys went nowhere).
        for field in (self.email, self.password, self.comment):
            field.setReadOnly(busy)
        for button in (self.approve_button, self.reject_button):
            button.setEnabled(not busy)

    def _set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        grow_to_fit(self)  # as tall as the wrapped texts need now

    def _refuse(self, text: str, field: QLineEdit) -> None:
        self._set_error(text)
        field.setFocus(Qt.FocusReason.OtherFocusReason)  # on what to fix

    def _decide(self, outcome: str) -> None:
        if self.password.isReadOnly():
            return  # busy: the decision already sent is not sent again
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self._refuse(self.tr("Enter the supervisor's e-mail and password."),
                         self.email if not email else self.password)
            return
        if outcome == "rejected" and not self.comment.text().strip():
            self._refuse(self.tr("A rejection needs a comment."), self.comment)
            return
        _value, problem = check_text(self.comment.text(), self.tr("Comment"))
        if problem:
            self._refuse(problem, self.comment)
            return
        self.password.clear()  # never kept in the widget
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)  # not on a disabled button
        self._set_error("")
        self.set_busy(True)
        self.decided.emit(outcome, email, password, self.comment.text().strip())
