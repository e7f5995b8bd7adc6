"""A teller's pending requests on a customer card (against the embedded sandbox + Teller Hub):
each is a line of its own under the card's buttons (its note wrapped, Withdraw beside it), so
however many there are and however long they read, the window still fits a 1280 px screen in
English and in Ukrainian; Tab goes on from the buttons to the Withdraw buttons, and Withdraw
takes its line away."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from teller_app.ui.settings import switch_language

from .conftest import TELLER, new_customer
from .embedded_desk import embedded_stack, hub_desk_window

pytestmark = pytest.mark.slow

SCREEN_WIDTH = 1280  # the smallest screen the desk is made for
# a status is free text: a long one makes a long note
STATUSES = ("under review by the compliance department after the documents expired",
            "blocked until the branch manager confirms the customer's identity in person",
            "closing")
stack = embedded_stack("ui-card-pending")


@pytest.fixture()
def desk(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    with hub_desk_window(qtbot, ops, arun, stack, TELLER, SCREEN_WIDTH) as window:
        yield window


def _deleted() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # replaced notes


def _notes(card: Any) -> list[QLabel]:
    return [n for n in card.findChildren(QLabel, "pendingRequestNote") if not n.isHidden()]


def test_pending_requests_go_under_the_buttons_and_never_widen_the_window(
        qtbot, arun, stack, desk) -> None:  # type: ignore[no-untyped-def]
    session = desk.session
    made = arun(CustomerService(session.client, hub=session.hub).create(
        new_customer(stack.sandbox, session, surname="Шевченко-Квітка", name="Олександра")))
    maker = ApprovalService(session.hub, actor_from_session(session))
    for status in STATUSES:
        arun(maker.file_request(made.customer.guid, {"status": status}, "card width test"))

    card = desk.open_customer(made.customer)
    # the card reads the requests again once it is refreshed: wait for that last read
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date" and not desk.ops.is_busy()
                    and len(_notes(card)) == len(STATUSES), timeout=20000)
    _deleted()
    history = card.findChild(QPushButton, "accountHistoryButton")
    withdraws = [b for b in card.findChildren(QPushButton, "withdrawRequestButton")
                 if not b.isHidden()]
    assert len(withdraws) == len(STATUSES)
    try:
        for language, note_start in (("en", "Awaiting approval"), ("uk", "Очікує погодження")):
            switch_language(language)
            qtbot.waitUntil(lambda start=note_start: _notes(card)[0].text().startswith(start),
                            timeout=5000)
            desk.layout().activate()  # the sizes of the new texts, now (else on a later event)
            assert desk.minimumSizeHint().width() <= SCREEN_WIDTH, language
            assert desk.minimumSize().width() <= SCREEN_WIDTH, language
            assert desk.width() <= SCREEN_WIDTH, language
            row_bottom = history.mapTo(card, QPoint(0, history.height())).y()
            for note in _notes(card):
                assert note.mapTo(card, QPoint(0, 0)).y() >= row_bottom  # a line of its own
    finally:
        switch_language("en")

    # a short note with room to spare stays on one line
    desk.layout().activate()
    short = next(n for n in _notes(card) if "“closing”" in n.text())
    assert short.height() < 2 * short.fontMetrics().lineSpacing()

    # Tab from the last button of the row reaches the Withdraw buttons, in order
    desk.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk, timeout=5000)
    history.setFocus(Qt.FocusReason.TabFocusReason)
    for withdraw in withdraws:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is withdraw

    with qtbot.waitSignal(card.customer_changed, timeout=20000):  # refreshed after Withdraw
        withdraws[0].click()
    qtbot.waitUntil(lambda: len(_notes(card)) == len(STATUSES) - 1, timeout=20000)
