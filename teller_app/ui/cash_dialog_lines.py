"""The cash dialog's labels: read-only values the teller may select, and message lines that
take room only while they say something; and fitting the dialog to the rows it shows."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QRect, Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from teller_app.ui.announce import announce, describe
from teller_app.ui.customer_columns import turns_direction
from teller_app.ui.validators import isolate, one_line


def _selectable(parent: QWidget, name: str, wrap: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names and errors from the platform
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def show_balance_after(label: QLabel, after: Decimal | None, money: str) -> None:
    """The balance after (``money``: its text); below zero it cannot happen (the error line
    says why), so it is marked in red."""
    if after is not None and after < 0:
        money = QCoreApplication.translate("CashDialog", "%1 — not possible").replace(
            "%1", money)
    label.setText("—" if after is None else money)
    label.setStyleSheet("color: #b00020" if after is not None and after < 0 else "")


def _payment_line(payment_guid: str) -> str:
    return QCoreApplication.translate("CashDialog", "Payment: %1").replace(
        "%1", payment_guid[:8])


def show_created(reference: QLabel, payment_guid: str) -> None:
    """The draft exists: said in words; the payment's number on its own line to select (as
    the history's Payment column shows it), the whole id in the line's tip."""
    reference.setText("\n".join([
        QCoreApplication.translate("CashDialog", "Draft created."), _payment_line(payment_guid)]))
    reference.setToolTip(payment_guid)


def show_payment(reference: QLabel, payment_guid: str) -> None:
    """The draft is no longer one (confirmed, or refused for good): its payment's number
    stays, to read to the customer or quote on the phone without opening the receipt."""
    if not payment_guid:
        reference.clear()
        return
    reference.setText(_payment_line(payment_guid))
    reference.setToolTip(payment_guid)


def without_line(text: str, line: str) -> str:
    """``text``'s lines but ``line`` (and empty ones)."""
    return "\n".join(x for x in text.split("\n") if x and x != line)


class _Line(QLabel):
    """A message line shown only while it says something: an empty line leaves no gap in
    the form (its row collapses and the dialog shrinks to fit). A line in the field column
    has an empty ``partner`` in the label column (a field alone in its row is not given its
    height for its width), shown and hidden with it."""

    def __init__(self, parent: QWidget, partner: QLabel | None) -> None:
        super().__init__(parent)
        self.partner = partner

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        if self.partner is not None:
            self.partner.setVisible(visible)


class _ErrorLine(_Line):
    """The line of what stops the operation, under the field it is about: its text is that
    field's accessible description too (a screen reader on the field says it), and a line
    that appears is announced (the answer of a check the teller did not move to) once the
    event loop's turn is over: a refusal taken out and put back in one turn (the hub's same
    answer to the next keystroke) is not new, and is not said again."""

    def __init__(self, parent: QWidget, partner: QLabel | None, field: QWidget) -> None:
        super().__init__(parent, partner)
        self.field = field
        self._said: list[str] = []  # the lines shown when it last spoke
        self._due = False

    def setText(self, text: str) -> None:
        super().setText(text)
        describe(self.field, text)
        self._say_later()

    def clear(self) -> None:
        super().clear()
        describe(self.field, "")
        self._say_later()

    def _say_later(self) -> None:
        if not self._due:
            self._due = True
            QTimer.singleShot(0, self, self._say)

    def _say(self) -> None:
        self._due = False
        shown = [x for x in self.text().split("\n") if x]
        new = [x for x in shown if x not in self._said]
        self._said = shown
        announce(self, "\n".join(new))


def _line(parent: QWidget, name: str, partner: QLabel | None = None,
          field: QWidget | None = None) -> QLabel:
    """A message line (``_Line``); with ``field``, the error line about that field."""
    line = _Line(parent, partner) if field is None else _ErrorLine(parent, partner, field)
    line.setObjectName(name)
    line.setWordWrap(True)
    line.setTextFormat(Qt.TextFormat.PlainText)
    line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    line.hide()
    return line


def in_sentence(name: str) -> str:
    """A customer's name inside a sentence (the supervisor's summary): on one line, and
    isolated when it could reorder the words around it, the amount among them."""
    return isolate(name) if turns_direction(name) else one_line(name)


def _text_height(label: QLabel) -> int:
    """The height of a wrapped label's text at its width (its own height-for-width would
    count the minimum height set from this)."""
    width = label.contentsRect().width() - 2 * label.margin()
    flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
    text = label.fontMetrics().boundingRect(QRect(0, 0, max(width, 1), 1 << 20), flags,
                                            label.text()).height()
    margins = label.contentsMargins()
    return text + margins.top() + margins.bottom() + 2 * label.margin() if text else 0


def fit_to_rows(dialog: QDialog, min_width: int) -> None:
    """Fit the height to the rows shown (lines come and go: no gap is left behind); the
    width only grows, so what the teller made wider stays wide."""
    layout = dialog.layout()
    if layout is None:
        return
    # A wrapped line is never given less than its text's height at its width: the form
    # otherwise shares the height out evenly when lines swap (rows drawn over the next).
    # Its own rows only: not the labels of a prompt or receipt opened over it.
    for label in dialog.children():
        if (isinstance(label, QLabel) and label.wordWrap() and label.isVisibleTo(dialog)
                and label.width() > 0):
            label.setMinimumHeight(_text_height(label))
    layout.activate()
    width = max(dialog.sizeHint().width(), dialog.width(), min_width)
    height = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
              else dialog.sizeHint().height())
    height = max(height, dialog.minimumSizeHint().height())
    if (width, height) != (dialog.width(), dialog.height()):
        dialog.resize(width, height)
