"""Supervision's widgets on a customer card: its buttons, each an item of the card's own
wrapping row, and under that row one line per request pending for the customer (its note,
word-wrapped; this employee's own with Withdraw beside it, another's a note alone).

The notes never share the button row: each one there made the window wider than the screen.
The buttons are not one block in that row either: a block never wrapped among itself (~530 px
in Ukrainian) and was cut beside the inbox in a narrower window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.enter_key import press_on_enter
from teller_app.ui.flow_layout import FlowLayout
from teller_app.ui.untrusted import fill, plain_label

translate = QCoreApplication.translate  # context "Supervision", as in Supervision.tr


def awaiting_approval(request: ChangeRequest) -> str:
    return translate("Supervision", "Awaiting approval: %1").replace(
        "%1", describe_change(request.displayed_change(), request.before))


def awaiting_approval_by(request: ChangeRequest, maker: str) -> str:
    """Another employee's request: who filed it (their name, else their e-mail, isolated)."""
    return fill(translate("Supervision", "Awaiting approval: %1 (filed by %2)"),
                describe_change(request.displayed_change(), request.before), maker)


REQUEST_LINE = "pendingRequestLine"
REQUEST_WIDGETS = frozenset({"pendingRequestNote", "withdrawRequestButton", REQUEST_LINE})
# Writes with no confirmation: Enter (a second one, or one meant for another field) must not
# send them; Space or a click does, once (review: two Enters disabled a customer twice).
DIRECT_WRITES = frozenset({"toggleDisabledButton", "withdrawRequestButton"})


class NoteLabel(QLabel):
    """A wrapped note that asks for its whole text on one line: a plain wrapped label asks
    for a narrow block and wraps even when the row has room. Its minimum stays a word's."""

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = (max((self.fontMetrics().horizontalAdvance(line)
                      for line in self.text().splitlines()), default=0)
                 + 2 * self.margin() + margins.left() + margins.right() + 1)
        width = max(width, super().minimumSizeHint().width())
        return QSize(width, self.heightForWidth(width))


class CardActions(QWidget):
    """Supervision's buttons and notes on one card. Each keeps how its text is made, so a live
    language switch (LanguageChange, which reaches every child of the card) re-texts them in
    place: nothing is rebuilt, focus stays, and the card knows nothing of them.

    The buttons are in ``row``: the card's wrapping ``actions_layout`` when it has one (this
    widget, placed there by the card's owner, only marks where they go and takes no room),
    else a row of this widget's own. The request lines are in ``requests``, a widget of its
    own that the card places under its button row, across the card's whole width."""

    def __init__(self, card: QWidget) -> None:
        super().__init__(card)
        self.setObjectName("supervisionActions")
        flow = getattr(card, "actions_layout", None)
        self.row: FlowLayout | QHBoxLayout
        if isinstance(flow, FlowLayout):
            self.row = flow
            self.hide()  # an empty, hidden item: the flow skips it
        else:
            self.row = QHBoxLayout(self)
            self.row.setContentsMargins(0, 0, 0, 0)
        self._buttons: list[QLabel | QPushButton] = []  # in the row, in their order
        self.requests = QWidget(card)
        self.requests.setObjectName("pendingRequests")
        self.request_lines = QVBoxLayout(self.requests)
        self.request_lines.setContentsMargins(0, 0, 0, 0)
        self.requests.hide()  # no empty gap under the buttons while there is no request
        self._texts: list[tuple[QLabel | QPushButton, Callable[[], str]]] = []
        self.built_for: tuple[str, bool] | None = None  # (customer, disabled) of the buttons
        self.maker_names: dict[str, str] = {}  # e-mail -> name: who filed a request shown

    def add(self, widget: QLabel | QPushButton, text: Callable[[], str],
            index: int = -1) -> None:
        """``widget`` at ``index`` among this box's own (the last with -1)."""
        index = len(self._buttons) if not 0 <= index <= len(self._buttons) else index
        row_index = index
        if isinstance(self.row, FlowLayout):  # the box's buttons stand just before it
            mark = self.row.indexOf(self)
            row_index += (mark if mark >= 0 else self.row.count()) - len(self._buttons)
        self._buttons.insert(index, widget)
        self._place(widget, text, self.row, row_index)
        self._follow_the_row()

    def _follow_the_row(self) -> None:
        """Tab goes on from the card's button before this box's through its buttons in the
        row's order; added to the card, each was put last in the window's Tab chain."""
        if not isinstance(self.row, FlowLayout) or not self._buttons:
            return
        first = self.row.indexOf(self._buttons[0])
        before = self.row.itemAt(first - 1) if first > 0 else None
        previous = before.widget() if before is not None else None
        for widget in self._buttons:
            if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                continue
            if previous is not None:  # none before the box: the chain starts at its first
                QWidget.setTabOrder(previous, widget)
            previous = widget

    def add_request(self, text: Callable[[], str],
                    withdraw: Callable[[], None] | None) -> QPushButton | None:
        """A line under the buttons: the request's note and, for one's own (``withdraw``
        given), its Withdraw button; another employee's is a note alone."""
        line = QWidget(self.requests)
        line.setObjectName(REQUEST_LINE)
        layout = QHBoxLayout(line)
        layout.setContentsMargins(0, 0, 0, 0)
        note = plain_label(NoteLabel(line))  # a status is free text: never markup
        note.setObjectName("pendingRequestNote")
        # as wide as its text when there is room, wrapped when there is not
        note.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._place(note, text, layout)
        button = None
        if withdraw is not None:
            button = QPushButton(line)
            button.setObjectName("withdrawRequestButton")
            button.clicked.connect(lambda: withdraw())  # not given the "checked" flag
            self._place(button, lambda: translate("Supervision", "Withdraw request"), layout)
        layout.addStretch(1)
        self.request_lines.addWidget(line)
        self.requests.show()
        return button

    def _place(self, widget: QLabel | QPushButton, text: Callable[[], str],
               layout: QBoxLayout | FlowLayout, index: int = -1) -> None:
        widget.setText(text())
        self._texts.append((widget, text))
        layout.insertWidget(index, widget)
        if isinstance(widget, QPushButton) and widget.objectName() not in DIRECT_WRITES:
            press_on_enter(widget)  # the card is no dialog: Enter would press nothing

    def clear(self, names: frozenset[str] | None = None) -> None:
        """Remove every widget, or only those whose object name is in ``names`` (in the card's
        row, only this box's own: the card's buttons stay)."""
        def gone(widget: QWidget) -> bool:
            return names is None or widget.objectName() in names

        self._texts = [(w, t) for w, t in self._texts if not gone(w)]
        mine = [w for w in self._buttons if gone(w)]
        self._buttons = [w for w in self._buttons if not gone(w)]
        for layout in (self.row, self.request_lines):
            for index in reversed(range(layout.count())):
                item = layout.itemAt(index)
                widget = item.widget() if item is not None else None
                if widget is not None and (any(w is widget for w in mine) or (
                        layout is self.request_lines and gone(widget))):
                    layout.takeAt(index)
                    widget.hide()  # out of the layout: not left painted until it is deleted
                    widget.deleteLater()
        self.requests.setVisible(self.request_lines.count() > 0)

    def press(self, object_name: str) -> None:
        """Click the button ``object_name`` when it is shown and enabled (a card's key); one
        taken out by ``clear`` is hidden until it is deleted, so it is never the one."""
        for button in (*self._buttons, *self.requests.findChildren(QPushButton, object_name)):
            if (isinstance(button, QPushButton) and button.objectName() == object_name
                    and button.isVisible() and button.isEnabled()):
                button.click()
                return

    def buttons(self) -> list[QPushButton]:
        """This box's buttons, in their order in the row (they are the card's children)."""
        return [w for w in self._buttons if isinstance(w, QPushButton)]

    def last_button(self) -> QPushButton | None:
        """This box's last shown button in the row: Tab goes from it to the first Withdraw."""
        for widget in reversed(self._buttons):
            if isinstance(widget, QPushButton) and not widget.isHidden():
                return widget
        return None

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            for widget, text in self._texts:
                widget.setText(text())
        super().changeEvent(event)
