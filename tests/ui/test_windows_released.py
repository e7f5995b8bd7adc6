"""The windows a teller opens and closes all day are released when closed: after the closed
window's deferred delete and a garbage collection no Python object of its class is left.
A closed account history stayed whole (every payment row its table had read) because a
lambda on ``self`` was connected to a signal of its model, which Python owns: the connection
outlived the dialog and kept the dialog, and so the model, alive (some 300 windows a day).

Each window is opened and closed ``TIMES`` times on the real embedded stack (sandbox + hub,
onboarded, a till open so cash moves); a leak fails with the referrers that hold it."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt

from teller_app.core.cash import CashKind, CashService
from teller_app.core.cash_accounts import find_processing_account
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.views import customer_view
from teller_app.ui.card_actions import CardActions
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.customer_form import CustomerForm
from teller_app.ui.history import HistoryDialog
from teller_app.ui.history_model import HistoryModel
from teller_app.ui.payment_detail import PaymentDetailDialog
from teller_app.ui.receipt_dialog import ReceiptDialog
from teller_app.ui.till_desk import hub_cash
from tests.onboarded_stack import onboarded_stack

from .conftest import TELLER, make_window, new_customer
from .embedded_desk import hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

TIMES = 4


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("ui-windows-released")) as started:
        yield started


@pytest.fixture(scope="module")
def made() -> dict[str, Any]:
    return {}


@pytest.fixture()
def customer(arun: Any, stack: EmbeddedStack, made: dict[str, Any]) -> Any:
    """A customer with one confirmed cash-in (its history has a receipt to reprint), the
    teller's till open for the cash dialog: made by the module's first test (in its private
    directories), then shared."""
    if "customer" not in made:
        session = hub_session(arun, stack, TELLER)
        try:
            found = arun(CustomerService(session.client, hub=session.hub).create(
                new_customer(stack.sandbox, session, surname="Закрита", name="Історія")))
            cash = hub_cash(session)
            assert cash is not None
            open_cosigned_till(arun, stack, cash.till, session, f"R{uuid.uuid4().hex[:5]}",
                               {"note_100": 20})
            processing = arun(find_processing_account(session.client, session.branch_guid))
            service = CashService(session.client, session.branch_guid or "", processing,
                                  session.profile.cash_confirm_threshold, policy=cash,
                                  gate=cash)
            draft = arun(service.create(CashKind.DEPOSIT, found.customer.wallet_user_guid,
                                        "25"))
            assert arun(service.confirm(draft.payment_guid)).status.upper() == "CONFIRMED"
        finally:
            arun(session.close())
        made["customer"] = found.customer
    return made["customer"]


@pytest.fixture()
def desk(qtbot: Any, ops: Any, arun: Any, stack: EmbeddedStack, english: None
         ) -> Iterator[Any]:
    session = hub_session(arun, stack, TELLER)
    window = make_window(qtbot, ops, session, stack.sandbox)
    window.resize(1280, 760)
    try:
        yield window
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(session.close())


def _alive(*classes: type) -> list[object]:
    """The Python objects of ``classes`` left once deferred deletes ran and gc collected."""
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, classes)]


def _holders(obj: object) -> str:
    """What refers to ``obj``, one level up and the functions above cells (a failure's
    message: a closure connected somewhere shows its name)."""
    lines = []
    for ref in gc.get_referrers(obj):
        if type(ref).__name__ == "cell":
            owners = [getattr(f, "__qualname__", type(f).__name__) for r in gc.get_referrers(ref)
                      for f in ([r] if callable(r) else gc.get_referrers(r))
                      if callable(f)]
            lines.append(f"cell of {sorted(set(owners))[:4]}")
        elif not isinstance(ref, list):  # not the lists of this check
            lines.append(type(ref).__name__)
    return "; ".join(lines)


class Released:
    """Checks that the windows of ``classes`` opened from now on are all gone at the end
    (any left by an earlier test of the process are not this test's: held and ignored)."""

    def __init__(self, qtbot: Any, ops: Any, *classes: type) -> None:
        self.qtbot, self.ops, self.classes = qtbot, ops, classes
        self.before = _alive(*classes)

    def new(self) -> list[object]:
        return [o for o in _alive(*self.classes) if not any(o is b for b in self.before)]

    def check(self) -> None:
        self.qtbot.waitUntil(lambda: not self.ops.is_busy(), timeout=20000)
        try:  # a callback may still be on its way: wait for it, a leak never goes
            self.qtbot.waitUntil(lambda: not self.new(), timeout=3000)
        except Exception:
            left = self.new()
            detail = [f"{type(o).__name__} held by: {_holders(o)}" for o in left[:2]]
            pytest.fail(f"{len(left)} closed window object(s) still alive: {detail}")


def _card(qtbot: Any, window: Any, customer: Any) -> CustomerCard:
    card = window.open_customer(customer)
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date" and len(
        card.account_panels) >= 1 and card.findChild(CardActions) is not None, timeout=20000)
    return card


def _close_card(window: Any, card: CustomerCard) -> None:
    window._close_tab(window.tabs.indexOf(card))


def _open_history(qtbot: Any, window: Any, card: CustomerCard) -> HistoryDialog:
    box = card.findChild(CardActions)
    assert box is not None
    box.press("accountHistoryButton")
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(HistoryDialog)),
                    timeout=20000)
    dialog = next(d for d in window.findChildren(HistoryDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0 and not dialog.model.loading,
                    timeout=20000)
    return dialog


def test_a_closed_history_is_released(qtbot, ops, desk, customer) -> None:  # type: ignore[no-untyped-def]
    released = Released(qtbot, ops, HistoryDialog, HistoryModel)
    card = _card(qtbot, desk, customer)
    for _ in range(TIMES):
        _open_history(qtbot, desk, card).close()
    released.check()


def test_a_closed_receipt_copy_is_released(qtbot, ops, desk, customer) -> None:  # type: ignore[no-untyped-def]
    """A payment's detail and its receipt copy, opened from the history: released with it,
    and not one kept for every payment opened while the history stays open."""
    released = Released(qtbot, ops, HistoryDialog, PaymentDetailDialog, ReceiptDialog)
    card = _card(qtbot, desk, customer)
    history = _open_history(qtbot, desk, card)
    for _ in range(TIMES):
        history.open_payment(0)
        detail = history.detail
        assert detail is not None and detail.receipt_button is not None
        detail.reprint()
        qtbot.waitUntil(lambda d=detail: d.receipt_dialog is not None
                        and d.receipt_dialog.isVisible(), timeout=20000)
        detail.receipt_dialog.close()
        detail.close()
        del detail
    # only the last detail and its receipt while the history is open
    assert len([o for o in released.new() if not isinstance(o, HistoryDialog)]) <= 2
    history.close()
    del history
    released.check()


def _row(panel: Any, guid: str) -> int | None:
    rows = (panel.model.row_at(i) for i in range(panel.model.rowCount()))
    return next((i for i, row in enumerate(rows) if customer_view(row).guid == guid), None)


def test_a_closed_customer_card_is_released(qtbot, ops, desk, customer) -> None:  # type: ignore[no-untyped-def]
    """Opened from the search, its new-account frame used, its tab closed."""
    released = Released(qtbot, ops, CustomerCard)
    panel, guid = desk.search_panel, customer_view(customer).guid
    panel.search_box.setText("Закрита")
    for _ in range(TIMES):
        qtbot.waitUntil(lambda: _row(panel, guid) is not None, timeout=20000)
        row = _row(panel, guid)
        assert row is not None
        panel.table.selectRow(row)
        panel.open_current()
        card = desk.tabs.currentWidget()
        assert isinstance(card, CustomerCard)
        qtbot.waitUntil(lambda c=card: c.freshness.text() == "Up to date", timeout=20000)
        card.show_open_account()
        card._submit_open_account()  # EUR the first time, then "already has an account"
        qtbot.waitUntil(lambda c=card: not c.ops.is_busy(f"open-account:{c.guid}"),
                        timeout=20000)
        _close_card(desk, card)
        del card
    released.check()


def test_closed_customer_forms_are_released(qtbot, ops, desk, customer) -> None:  # type: ignore[no-untyped-def]
    """The edit form (from the card's Edit) and the new-customer form, cancelled."""
    released = Released(qtbot, ops, CustomerForm, CustomerCard)
    card = _card(qtbot, desk, customer)
    for _ in range(TIMES):
        card.edit_button.click()
        form = desk.tabs.currentWidget()
        assert isinstance(form, CustomerForm) and form.editing
        form.request_cancel()
        form = desk.new_customer()
        assert form is not None
        form.request_cancel()
        del form
    _close_card(desk, card)
    del card
    released.check()


def test_a_closed_cash_dialog_is_released(qtbot, ops, desk, customer) -> None:  # type: ignore[no-untyped-def]
    """A cash-in confirmed, its receipt shown and closed, the dialog closed."""
    released = Released(qtbot, ops, CashDialog, ReceiptDialog, CustomerCard)
    card = _card(qtbot, desk, customer)
    box = card.findChild(CardActions)
    assert box is not None

    def shown() -> list[CashDialog]:
        return [d for d in desk.findChildren(CashDialog) if d.isVisible()]

    for _ in range(2):
        box.press("cash_deposit_button")
        qtbot.waitUntil(lambda: len(shown()) == 1, timeout=20000)
        dialog = shown()[0]
        qtbot.waitUntil(lambda d=dialog: d.context is not None, timeout=20000)
        qtbot.keyClicks(dialog.amount, "10")
        qtbot.waitUntil(lambda d=dialog: not d.ops.is_busy(d._policy_key()), timeout=10000)
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda d=dialog: d.draft is not None, timeout=20000)
        with qtbot.waitSignal(dialog.receipt_shown, timeout=20000):
            qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        assert dialog.receipt_dialog is not None
        assert dialog.receipt_dialog.receipt.amount == Decimal("10")
        dialog.receipt_dialog.reject()
        dialog.close()
        del dialog
    _close_card(desk, card)
    del card
    released.check()

