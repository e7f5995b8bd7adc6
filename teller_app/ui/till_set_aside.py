"""The payments a till's close sets aside (``Till.set_aside``: confirmed on the platform
unlike the hub's authorization, so no till counts them) in words: each one's short id, cash
deposit or withdrawal, the amount the hub authorized and what the platform confirmed. The
teller's close dialog and the supervisor's co-sign (the branch cash position, or in place at
the teller's desk) list them, so nobody co-signs without seeing which payments the till
closes without. Strings keep the ``SetAsideList`` translation context."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from teller_app.core.till_models import SetAside
from teller_app.ui.money import format_money, format_number, format_uah
from teller_app.ui.till_text import till_kind_text
from teller_app.ui.untrusted import fill, plain_label, shown

translate = QCoreApplication.translate  # context "SetAsideList", as in SetAsideList.tr
KINDS = frozenset({"deposit", "withdrawal"})  # the kinds said in words; another is left out
SHORT_ID = 8  # characters of a payment's GUID, as history and the report show it
VISIBLE_LINES = 6  # the list's height at most (lines); more scrolls inside it
SUMMARY_ITEMS = 10  # payments named in the in-place co-sign's summary; the rest counted


def _amount(amount: Decimal, asset: str) -> str:
    """DCM's amount as the desk writes money, every digit it has (never rounded to kopiyky)."""
    places = max(2, -int(amount.as_tuple().exponent))
    return format_money(amount, places, asset) if asset else format_number(amount, places)


def confirmed_text(item: SetAside) -> str:
    """What the platform confirmed: its amount (in another asset: "not in" the tills'
    currency), another payment, or the hub's own words when this desk cannot read them."""
    if item.other_payment:
        return fill(translate("SetAsideList", "another payment (%1)"),
                    shown(item.other_payment[:SHORT_ID], breaks=False))
    if item.confirmed_amount is not None:
        amount = _amount(item.confirmed_amount, item.confirmed_asset)
        if item.tills_currency:
            return fill(translate("SetAsideList", "%1, not in %2"), amount, item.tills_currency)
        return amount
    return shown(item.confirmed, 120, breaks=False)


def set_aside_line(item: SetAside) -> str:
    """One payment on one line; a part the hub did not say is left out."""
    parts = [shown(item.payment_guid[:SHORT_ID], breaks=False)]
    parts.append(till_kind_text(item.kind) if item.kind in KINDS else "")
    if item.authorized is not None:
        parts.append(fill(translate("SetAsideList", "authorized %1"), format_uah(item.authorized)))
    confirmed = confirmed_text(item)
    if confirmed:
        parts.append(fill(translate("SetAsideList", "the platform confirmed %1"), confirmed))
    return " · ".join(p for p in parts if p)


class SetAsideList(QWidget):
    """A heading saying what becomes of the payments and the payments one a line, in a
    read-only box the keyboard reaches (a Tab stop; arrows scroll, Shift+arrows select,
    Ctrl+C copies; Tab goes on). Hidden while there is none. ``supervisor``: the heading
    tells the one co-signing that the co-sign closes the till without them."""

    def __init__(self, parent: QWidget | None = None, *, supervisor: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("tillSetAside")
        self.supervisor = supervisor
        self.items: tuple[SetAside, ...] = ()
        self.state = ""  # the till's state: the heading follows it
        self.heading = plain_label(QLabel(self))
        self.heading.setObjectName("tillSetAsideHeading")
        self.lines = QPlainTextEdit(self)
        self.lines.setObjectName("tillSetAsideList")
        self.lines.setReadOnly(True)
        self.lines.setTextInteractionFlags(  # read and copied by keyboard too
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.lines.setTabChangesFocus(True)  # Tab goes on to the next control
        self.lines.setHorizontalScrollBarPolicy(  # its lines wrap: never wider than the box
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.heading.setBuddy(self.lines)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.lines)
        self.hide()

    def set_items(self, items: tuple[SetAside, ...], state: str) -> None:
        """The payments a till's answer names, and its state."""
        self.items = items
        self.lines.setPlainText("\n".join(set_aside_line(i) for i in items))
        # two lines each (a narrow window wraps one), at most ``VISIBLE_LINES``
        lines = min(2 * len(items), VISIBLE_LINES)
        margins = 2 * (self.lines.frameWidth() + int(self.lines.document().documentMargin()))
        self.lines.setFixedHeight(self.lines.fontMetrics().lineSpacing() * lines + margins)
        self.set_state(state)

    def set_state(self, state: str) -> None:
        """The till moved (closed, waiting): the heading says what became of them."""
        self.state = state
        self.heading.setText(self.heading_text())
        self.lines.setAccessibleName(self.heading.text())  # a screen reader says what it is
        self.setVisible(bool(self.items))

    def heading_text(self) -> str:
        n = len(self.items)
        if self.state == "close_cosign" and self.supervisor:
            return self.tr("Co-signing closes the till without these %n payment(s), set "
                           "aside: the platform confirmed them unlike their authorization, "
                           "so the till does not count them.", "", n)
        if self.state == "close_cosign":
            return self.tr("%n payment(s) set aside by this close: the platform confirmed "
                           "them unlike their authorization. The supervisor's co-sign closes "
                           "the till without them.", "", n)
        if self.state == "closed":
            return self.tr("The till closed without these %n payment(s), set aside.", "", n)
        return self.tr("%n payment(s) confirmed on the platform unlike their authorization: "
                       "the till cannot count them. The close needs a reason and a "
                       "supervisor's co-sign, and sets them aside.", "", n)

    def supervisor_text(self) -> str:
        """For a supervisor co-signing in place: what the co-sign closes the till without,
        each payment named (the first ``SUMMARY_ITEMS``; the list beside says the rest)."""
        n = len(self.items)
        if not n:
            return ""
        lines = [set_aside_line(i) for i in self.items[:SUMMARY_ITEMS]]
        if n > SUMMARY_ITEMS:
            lines.append(self.tr("… and %n more, listed in the close dialog.", "",
                                 n - SUMMARY_ITEMS))
        said = self.tr("Co-signing closes the till without these %n payment(s), set aside: "
                       "the platform confirmed them unlike their authorization, so the till "
                       "does not count them.", "", n)
        return "\n".join([said, *lines])
