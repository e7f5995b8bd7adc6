"""The cash dialog's refusals and its layout: a refusal that no supervisor can lift (the till
short, a daily limit) is an error line under the amount, never the "Supervisor needed" row; a
balance below zero is marked as not possible; empty lines leave no gap and the dialog fits
its rows as they come and go."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QFormLayout

from teller_app.core.cash import CashContext, CashDraft, CashKind
from teller_app.core.cash_checks import (
    CashFacts,
    CashRefused,
    NeedReason,
    Refusal,
    RefusalKind,
    SupervisorNeed,
)
from teller_app.core.views import AccountView, AssetBalance, CustomerView
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.cash_text import refusal_text

TILL_SHORT = "till_short"


class FakeCash:
    """A withdrawal: the account holds ``balance``; the hub refuses above ``till`` (its till
    is short) and asks for a supervisor above ``threshold``."""

    gate = None

    def __init__(self, balance: str, till: str, threshold: str = "10000") -> None:
        self.balance = Decimal(balance)
        self.till = Decimal(till)
        self.threshold = Decimal(threshold)
        self.prepared_accounts: dict[str, Any] = {}

    async def prepare(self, kind, customer_guid):  # type: ignore[no-untyped-def]
        asset = AssetBalance(code="UAH", minor_unit=2, balance=self.balance)
        account = AccountView("acc", iban="UA213223130000026007233566001", assets=(asset,))
        customer = CustomerView(customer_guid, surname="Шевченко-Квітка",
                                name="Олександра")
        return CashContext(kind, customer, account, asset, CashFacts(kind.value, self.balance))

    async def assess(self, context, amount):  # type: ignore[no-untyped-def]
        if amount > self.till:
            raise CashRefused(Refusal(RefusalKind.HUB, TILL_SHORT))
        if amount > self.threshold:
            return SupervisorNeed(True, NeedReason.OVER_THRESHOLD, self.threshold)
        return SupervisorNeed(False)

    async def create(self, kind, customer_guid, amount, purpose="", *, nonce=None,  # type: ignore[no-untyped-def]
                     retry=False, accounts=None):
        return CashDraft("pay-1", kind, Decimal(amount), "UAH", customer_guid, "acc",
                         amount > self.threshold)


def _dialog(qtbot, ops, service, kind=CashKind.WITHDRAWAL):  # type: ignore[no-untyped-def]
    dialog = CashDialog(ops, service, CustomerView("c1"), kind)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=5000)
    return dialog


def _type(qtbot, dialog, amount: str) -> None:  # type: ignore[no-untyped-def]
    dialog.amount.setText(amount)
    qtbot.waitUntil(lambda: not dialog.ops.is_busy(dialog._policy_key()), timeout=5000)


def _row_of(dialog, widget) -> int:  # type: ignore[no-untyped-def]
    form = dialog.layout()
    assert isinstance(form, QFormLayout)
    row, _role = form.getWidgetPosition(widget)
    return int(row)


def test_a_till_shortage_is_an_error_under_the_amount(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ops, FakeCash(balance="5000", till="100"))
    short = refusal_text(Refusal(RefusalKind.HUB, TILL_SHORT))  # “… not hold that much”
    assert short
    _type(qtbot, dialog, "900")
    qtbot.waitUntil(lambda: short in dialog.error.text(), timeout=5000)
    # the supervisor row says only whether a supervisor is needed
    assert short not in dialog.supervisor_label.text()
    assert dialog.supervisor_label.text() == "—"
    assert not dialog.create_button.isEnabled()
    # the error line sits right under the amount, and is shown
    assert _row_of(dialog, dialog.error) == _row_of(dialog, dialog.amount) + 1
    assert dialog.error.isVisible()
    qtbot.waitUntil(lambda: _fits(dialog), timeout=5000)
    # as tall as its lines, no more (no blank band around it)
    assert dialog.error.height() <= dialog.error.heightForWidth(dialog.error.width()) + 2
    # another keystroke: the refusal stays until the next check answers (no blinking line,
    # no dialog shrinking and growing under the teller's pointer)
    height = dialog.height()
    dialog.amount.setText("901")
    assert short in dialog.error.text() and dialog.height() == height
    assert not dialog.create_button.isEnabled()
    qtbot.waitUntil(lambda: not ops.is_busy(dialog._policy_key()), timeout=5000)
    assert dialog.error.text().split("\n").count(short) == 1
    # within the till: the line goes, the supervisor row answers
    _type(qtbot, dialog, "50")
    qtbot.waitUntil(lambda: dialog.supervisor_label.text().startswith("No"), timeout=5000)
    assert dialog.error.text() == "" and not dialog.error.isVisible()
    assert dialog.create_button.isEnabled()


def test_a_balance_below_zero_is_marked_not_possible(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ops, FakeCash(balance="0", till="100000"))
    _type(qtbot, dialog, "900")
    assert "Not enough money on the account." in dialog.error.text().splitlines()
    assert "not possible" in dialog.after_label.text()
    assert "b00020" in dialog.after_label.styleSheet()
    dialog2 = _dialog(qtbot, ops, FakeCash(balance="100", till="100000"))
    _type(qtbot, dialog2, "40")
    assert dialog2.after_label.text() == "60.00\u00a0UAH"
    assert dialog2.after_label.styleSheet() == ""


def _fits(dialog) -> bool:  # type: ignore[no-untyped-def]
    """No blank space: the dialog is as tall as its shown rows need, not taller."""
    layout = dialog.layout()
    need = (layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth()
            else dialog.sizeHint().height())
    return bool(dialog.height() <= need + 2)


def test_no_gaps_and_the_dialog_fits_its_rows(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ops, FakeCash(balance="50000", till="100000"))
    # an empty line takes no room: hidden, its row collapsed
    for line in (dialog.error, dialog.caution, dialog.note, dialog.reference):
        assert line.text() == "" and not line.isVisible()
    _type(qtbot, dialog, "120000")  # more than the account holds: a long error
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5000)
    tall = dialog.height()
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width()) - 2
    _type(qtbot, dialog, "12000")  # over the threshold: the error goes, the dialog shrinks
    qtbot.waitUntil(lambda: dialog.supervisor_label.text().startswith("Yes"), timeout=5000)
    qtbot.waitUntil(lambda: _fits(dialog), timeout=5000)
    assert dialog.height() < tall
    with qtbot.waitSignal(dialog.draft_created, timeout=5000):
        dialog.create_draft()
    qtbot.waitUntil(lambda: dialog.note.isVisible() and dialog.reference.isVisible(),
                    timeout=5000)
    assert not dialog.error.isVisible() and not dialog.caution.isVisible()
    qtbot.waitUntil(lambda: _fits(dialog), timeout=5000)
    # the note, then the reference, then the buttons: nothing between them but spacing
    spacing = dialog.layout().verticalSpacing() + 4
    note, ref, buttons = dialog.note.geometry(), dialog.reference.geometry(), \
        dialog.buttons.geometry()
    assert ref.top() - note.bottom() <= spacing
    assert buttons.top() - ref.bottom() <= spacing
    margins = dialog.layout().contentsMargins()
    assert dialog.height() - buttons.bottom() <= margins.bottom() + 4


class TwoLines(FakeCash):
    """The supervisor row takes two lines when a supervisor is needed (below the till)."""

    async def assess(self, context, amount):  # type: ignore[no-untyped-def]
        if amount > self.till:
            raise CashRefused(Refusal(RefusalKind.HUB, TILL_SHORT))
        return SupervisorNeed(True, NeedReason.HUB_POLICY,
                              detail="customer_cumulative,over_threshold")


def test_rows_are_laid_out_again_when_lines_swap(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    """Two error lines become one while the supervisor row becomes two: the dialog keeps its
    height, and the rows must still be placed again (none drawn over the next)."""
    dialog = _dialog(qtbot, ops, TwoLines(balance="0", till="500"))
    dialog.resize(520, dialog.height())
    _type(qtbot, dialog, "900")  # not enough money + the till short: two error lines
    qtbot.waitUntil(lambda: len(dialog.error.text().splitlines()) == 2, timeout=5000)
    _type(qtbot, dialog, "120.50")
    qtbot.waitUntil(lambda: dialog.supervisor_label.text().startswith("Yes"), timeout=5000)
    qtbot.waitUntil(lambda: _fits(dialog), timeout=5000)
    label = dialog.supervisor_label
    assert label.heightForWidth(label.width()) > dialog.after_label.height()  # it wraps
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()),
                    timeout=2000)
    assert dialog.purpose.geometry().top() >= label.geometry().bottom()
