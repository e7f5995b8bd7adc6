"""A supervisor's customer card beside the approvals inbox (against the embedded sandbox + Teller
Hub): the allowed balance reads as the inbox words it (0 is "no limit"), every request pending
for the customer is shown on the card (another employee's as a note naming who filed it, only
the supervisor's own with Withdraw), and a request approved in the inbox reads the open card
again (its new data shown, its note gone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from teller_app.core.views import CustomerView
from teller_app.ui.customer_card_text import detail_texts
from tests.phones import unused_phone

from .conftest import TELLER, new_customer
from .embedded_desk import SUPERVISOR, embedded_stack, hub_desk_window, hub_session

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-supervisor-card-requests")


@pytest.fixture()
def teller(arun, stack):  # type: ignore[no-untyped-def]
    session = hub_session(arun, stack, TELLER)
    yield session
    arun(session.close())


@pytest.fixture()
def desk(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR, 1280) as window:
        yield window


def _customer(arun: Any, stack: Any, session: Any, surname: str) -> CustomerView:
    made = arun(CustomerService(session.client, hub=session.hub).create(new_customer(
        stack.sandbox, session, surname=surname, name="Олександра",
        phone_number=unused_phone())))
    return made.customer  # type: ignore[no-any-return]


def _lines(card: QWidget) -> list[QWidget]:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # replaced lines
    return [w for w in card.findChildren(QWidget, "pendingRequestLine") if not w.isHidden()]


def _note(line: QWidget) -> str:
    return line.findChild(QLabel, "pendingRequestNote").text()


def _withdraw(line: QWidget) -> QPushButton | None:
    return line.findChild(QPushButton, "withdrawRequestButton")


def _open(qtbot: Any, desk: Any, customer: CustomerView, lines: int) -> Any:
    card = desk.open_customer(customer)
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date" and not desk.ops.is_busy()
                    and len(_lines(card)) == lines, timeout=20000)
    return card


def test_an_allowed_balance_of_0_reads_no_limit_and_an_amount_its_currency(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, teller, desk, english) -> None:
    customer = _customer(arun, stack, teller, "Бойко")
    assert customer.balance_allowed == 0  # a new customer: the platform's "no limit"
    card = _open(qtbot, desk, customer, 0)
    assert card.detail_labels["balance_allowed"].text() == "no limit"
    # the same words as the inbox: with the balance's asset when it is named, else alone
    assert detail_texts(CustomerView("g", balance_allowed=Decimal("150000.5"),
                                     balance_asset_code="UAH"))["balance_allowed"] \
        == "150,000.50\u00a0UAH"
    assert detail_texts(CustomerView("g", balance_allowed=Decimal("150000.5"))
                        )["balance_allowed"] == "150,000.50"


def test_the_card_shows_every_pending_request_only_its_own_withdrawable(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, teller, desk) -> None:
    customer = _customer(arun, stack, teller, "Кравченко")
    guid = customer.guid
    arun(ApprovalService(teller.hub, actor_from_session(teller)).file_request(
        guid, {"is_disabled": True}, "passport lost"))
    supervisor = desk.session
    arun(ApprovalService(supervisor.hub, actor_from_session(supervisor)).file_request(
        guid, {"segment": "vip"}, "own request"))

    card = _open(qtbot, desk, customer, 2)
    by_text = {_note(line): line for line in _lines(card)}
    teller_name = teller.employee.display_name
    assert teller_name
    others = [t for t in by_text if "filed by" in t]
    assert others == [f"Awaiting approval: disable the customer (filed by "
                      f"\u2068{teller_name}\u2069)"]
    assert _withdraw(by_text[others[0]]) is None  # display only: the inbox decides it
    own = next(t for t in by_text if t not in others)
    assert own.startswith("Awaiting approval: ") and "filed by" not in own
    withdraw = _withdraw(by_text[own])
    assert withdraw is not None and withdraw.isVisible()

    with qtbot.waitSignal(card.customer_changed, timeout=20000):  # refreshed after Withdraw
        withdraw.click()
    qtbot.waitUntil(lambda: len(_lines(card)) == 1 and not desk.ops.is_busy(), timeout=20000)
    assert "filed by" in _note(_lines(card)[0])


def test_an_approval_in_the_inbox_reads_the_open_card_again(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, teller, desk) -> None:
    customer = _customer(arun, stack, teller, "Ткаченко")
    request = arun(ApprovalService(teller.hub, actor_from_session(teller)).file_request(
        customer.guid, {"segment": "vip"}, "moved to VIP"))
    card = _open(qtbot, desk, customer, 1)
    assert card.customer.segment != "vip"

    inbox = desk.supervision.inbox
    qtbot.waitUntil(lambda: request.id in inbox.model.pending_ids(), timeout=20000)
    inbox.table.selectRow(inbox.model.pending_ids().index(request.id))
    qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=20000)
    with qtbot.waitSignal(inbox.decided, timeout=20000) as decided:
        inbox.approve_button.click()
    assert decided.args[0].state == "applied"
    # read again: the change applied shows, and the request no longer waits on the card
    qtbot.waitUntil(lambda: card.customer.segment == "vip" and not desk.ops.is_busy()
                    and not _lines(card), timeout=20000)
    assert card.freshness.text() == "Up to date"


def test_a_request_filed_or_withdrawn_at_another_desk_shows_on_the_open_card(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, teller, desk) -> None:
    """The hub's live events read the open card again: a teller's request for the customer
    appears under the supervisor's buttons as it is filed, and goes when it is withdrawn."""
    customer = _customer(arun, stack, teller, "Мельничук")
    card = _open(qtbot, desk, customer, 0)
    qtbot.waitUntil(lambda: desk.supervision.feed is not None
                    and desk.supervision.feed.connected, timeout=20000)
    maker = ApprovalService(teller.hub, actor_from_session(teller))
    request = arun(maker.file_request(customer.guid, {"is_disabled": True}, "passport lost"))
    qtbot.waitUntil(lambda: len(_lines(card)) == 1 and not desk.ops.is_busy(), timeout=20000)
    assert "filed by" in _note(_lines(card)[0])
    arun(maker.withdraw(request))
    qtbot.waitUntil(lambda: not _lines(card) and not desk.ops.is_busy(), timeout=20000)


def test_another_desks_request_keeps_the_keyboard_where_it_was(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, teller, desk) -> None:
    """A live event read the card again and its notes (or accounts) were made anew: the
    keyboard fell off the supervisor's Withdraw (or an account's Copy) onto the tab bar
    (review M1). It stays on the same request's Withdraw, and on the same account's Copy."""
    customer = _customer(arun, stack, teller, "Левченко")
    supervisor = desk.session
    own = arun(ApprovalService(supervisor.hub, actor_from_session(supervisor)).file_request(
        customer.guid, {"segment": "vip"}, "own request"))
    card = _open(qtbot, desk, customer, 1)
    qtbot.waitUntil(lambda: desk.supervision.feed is not None
                    and desk.supervision.feed.connected, timeout=20000)
    withdraw = _withdraw(_lines(card)[0])
    assert withdraw is not None
    withdraw.setFocus()
    qtbot.waitUntil(withdraw.hasFocus, timeout=5000)

    arun(ApprovalService(teller.hub, actor_from_session(teller)).file_request(
        customer.guid, {"is_disabled": True}, "passport lost"))
    qtbot.waitUntil(lambda: len(_lines(card)) == 2 and not desk.ops.is_busy(), timeout=20000)
    focused = QApplication.focusWidget()
    assert focused is not None and focused.objectName() == "withdrawRequestButton"
    assert focused.property("requestId") == own.id

    copy = card.account_panels[0].copy_button
    copy.setFocus()
    qtbot.waitUntil(copy.hasFocus, timeout=5000)
    with qtbot.waitSignal(card.refreshed, timeout=20000):
        desk.supervision.refresh_cards_of(customer.guid)  # as an approval's event does
    qtbot.waitUntil(lambda: not desk.ops.is_busy(), timeout=20000)
    focused = QApplication.focusWidget()
    assert focused is card.account_panels[0].copy_button, focused


def test_a_card_parked_for_an_employee_who_switched_away_is_not_read(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, teller, desk) -> None:
    """A card kept (hidden) for the employee who switched away is theirs: another
    employee's events do not read it with that employee's sessions (review M3)."""
    customer = _customer(arun, stack, teller, "Сидоренко")
    card = _open(qtbot, desk, customer, 0)
    reads: list[object] = []
    card.refreshed.connect(lambda: reads.append(1))
    index = desk.tabs.indexOf(card)
    desk.tabs.removeTab(index)  # as ``_park_tabs`` keeps it: out of the tabs, not deleted
    try:
        desk.supervision.refresh_cards_of(customer.guid)
        # the due reads run at the next turn of the loop, then any read they started ends
        qtbot.waitUntil(lambda: not getattr(desk.supervision, "_cards_due", None)
                        and not desk.ops.is_busy(), timeout=20000)
        assert reads == []
    finally:
        desk.tabs.addTab(card, "card")
