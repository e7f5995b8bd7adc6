"""The Till menu's lease heartbeat is sent only while this desk holds the till (embedded
sandbox + Teller Hub, the teller signed in at two desks).

A desk the teller is merely signed in at (the till opened at desk A) sends no heartbeat, even
once A's lease lapsed, so it never takes the till from the desk with the cash drawer; a step
here (opening the till) takes it, and the heartbeat follows. A desk whose heartbeat is
refused because the till was moved elsewhere (``till_elsewhere``) sends no more, and its Till
menu still offers the till's steps, which say where the till is. A lapse is made by moving
the hub row's ``lease_until`` back, never by waiting."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from typing import Any

import pytest

from teller_app.core.cash import CashKind, CashService
from teller_app.core.cash_accounts import find_processing_account
from teller_app.core.customers import CustomerService
from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.platform.errors import Conflict
from teller_app.ui.till_desk import DESK_ID, hub_cash
from tests.phones import unused_phone

from .conftest import TELLER, new_customer
from .embedded_desk import embedded_stack, hub_desk_window, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

COUNTS = {"note_100": 10}

stack = embedded_stack("ui-till-heartbeat-holder")


class Counted:
    """The till service's hub calls, its heartbeats counted as sent and as answered."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent = 0

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        if path.endswith("/heartbeat"):
            self.sent += 1
        return await self.inner.call(method, path, **kwargs)


class Ticks:
    """The desk's heartbeat ticks (the timer's), counted once each has run to its end."""

    def __init__(self, service: TillService, monkeypatch: Any) -> None:
        self.ended = 0
        real = service.heartbeat

        async def tick() -> Any:
            try:
                return await real()
            finally:
                self.ended += 1

        monkeypatch.setattr(service, "heartbeat", tick)


def _holder(stack: Any) -> str:
    with closing(sqlite3.connect(stack.hub.data_dir / "hub.db", timeout=15)) as db:
        return str(db.execute("SELECT desk_id FROM tills WHERE active_teller = ?",
                              (TELLER,)).fetchone()[0])


def _lapse(stack: Any) -> int:
    """The teller's live till's lease lapsed; how many tills that was (0: none is live)."""
    with closing(sqlite3.connect(stack.hub.data_dir / "hub.db", timeout=15)) as db, db:
        return int(db.execute("UPDATE tills SET lease_until = 1 WHERE active_teller = ?",
                              (TELLER,)).rowcount)


def _tick(qtbot: Any, till_desk: Any, ticks: Ticks) -> None:
    """One tick of the heartbeat timer, run to its end."""
    before = ticks.ended
    till_desk.heartbeat()
    qtbot.waitUntil(lambda: ticks.ended == before + 1, timeout=15000)


def _window_till(qtbot: Any, ops: Any, arun: Any, stack: Any, monkeypatch: Any,
                 window: Any) -> tuple[Any, TillService, Counted, Ticks]:
    cash = hub_cash(window.session)
    assert cash is not None and cash.till is not None
    counted = Counted(cash.till.hub)
    monkeypatch.setattr(cash.till, "hub", counted)
    return window.till_desk, cash.till, counted, Ticks(cash.till, monkeypatch)


def _shown(qtbot: Any, till_desk: Any) -> None:
    till_desk.apply()  # the menu reads the till, as at sign-in
    qtbot.waitUntil(lambda: till_desk.till is not None and till_desk.close_action.isEnabled(),
                    timeout=15000)
    till_desk.timer.setInterval(3_600_000)  # the test ticks it itself


def _close(arun: Any, stack: Any, service: TillService) -> None:
    _lapse(stack)  # whichever desk holds it (if any is live): this one takes it and closes
    current = arun(service.current())
    if current is not None:
        arun(service.close(current.open_counts, "test clean-up"))


def test_a_desk_signed_in_beside_the_till_never_heartbeats(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english, monkeypatch) -> None:
    at_a = hub_session(arun, stack, TELLER)
    desk_a = TillService(LinkCalls(at_a.hub), "desk-A")
    code = f"A{uuid.uuid4().hex[:5]}"
    open_cosigned_till(arun, stack, desk_a, at_a, code, COUNTS)
    try:
        with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
            till_desk, here, counted, ticks = _window_till(qtbot, ops, arun, stack,
                                                           monkeypatch, window)
            _shown(qtbot, till_desk)
            _tick(qtbot, till_desk, ticks)
            assert _lapse(stack) == 1  # A missed its heartbeats for a whole lease
            for _ in range(3):
                _tick(qtbot, till_desk, ticks)
            assert counted.sent == 0  # this desk never asked for the till
            assert _holder(stack) == "desk-A"
            assert arun(desk_a.heartbeat()) is not None  # A keeps it

            # the teller takes the till here by a step (opening it): the heartbeat follows
            assert _lapse(stack) == 1
            arun(here.open(code, COUNTS))
            assert _holder(stack) == DESK_ID
            _tick(qtbot, till_desk, ticks)
            assert counted.sent == 1 and _holder(stack) == DESK_ID
            with pytest.raises(Conflict) as refused:
                arun(desk_a._post("/api/v1/tills/current/heartbeat"))
            assert refused.value.reason == "till_elsewhere"
            _close(arun, stack, here)
    finally:
        _close(arun, stack, desk_a)
        arun(at_a.close())


def test_a_desk_stops_heartbeating_once_the_till_is_elsewhere(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english, monkeypatch) -> None:
    at_a = hub_session(arun, stack, TELLER)
    desk_a = TillService(LinkCalls(at_a.hub), "desk-A")
    code = f"E{uuid.uuid4().hex[:5]}"
    try:
        with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
            till_desk, here, counted, ticks = _window_till(qtbot, ops, arun, stack,
                                                           monkeypatch, window)
            open_cosigned_till(arun, stack, here, window.session, code, COUNTS)
            _shown(qtbot, till_desk)
            _tick(qtbot, till_desk, ticks)
            assert counted.sent == 1  # this desk holds it: kept
            # the teller moves the till to desk A there (its lease lapsed here)
            assert _lapse(stack) == 1
            arun(desk_a.open(code, COUNTS))
            assert _holder(stack) == "desk-A"
            _tick(qtbot, till_desk, ticks)  # refused: till_elsewhere
            assert counted.sent == 2
            for _ in range(3):
                _tick(qtbot, till_desk, ticks)
            assert counted.sent == 2  # nothing more sent
            assert _holder(stack) == "desk-A"
            # the Till menu still offers the till's steps (they say where the till is)
            assert till_desk.till is not None and till_desk.close_action.isEnabled()
    finally:
        _close(arun, stack, desk_a)
        arun(at_a.close())


def test_a_cash_check_here_takes_the_lapsed_till_and_the_heartbeat_follows(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english, monkeypatch) -> None:
    """A teller's cash step at this desk (the hub's cash check) takes the till's lapsed
    lease: the till service hears of it, so the heartbeat keeps the lease from then on (it
    lapsed again two minutes after the check, the desk thinking the till was elsewhere)."""
    at_a = hub_session(arun, stack, TELLER)
    desk_a = TillService(LinkCalls(at_a.hub), "desk-A")
    open_cosigned_till(arun, stack, desk_a, at_a, f"C{uuid.uuid4().hex[:5]}", COUNTS)
    try:
        with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
            till_desk, here, counted, ticks = _window_till(qtbot, ops, arun, stack,
                                                           monkeypatch, window)
            _shown(qtbot, till_desk)
            session = window.session
            cash = hub_cash(session)
            new = new_customer(stack.sandbox, session, surname="Лізинг", name="Каса",
                               phone_number=unused_phone())
            created = arun(CustomerService(session.client, hub=session.hub).create(new))
            processing = arun(find_processing_account(session.client, session.branch_guid))
            service = CashService(session.client, session.branch_guid or "", processing,
                                  session.profile.cash_confirm_threshold, policy=cash,
                                  gate=cash)
            assert _lapse(stack) == 1  # desk A missed its heartbeats for a whole lease
            arun(service.create(CashKind.DEPOSIT, created.customer.wallet_user_guid, "100"))
            assert _holder(stack) == DESK_ID  # the check took the till here
            _tick(qtbot, till_desk, ticks)
            assert counted.sent == 1 and _holder(stack) == DESK_ID  # and keeps it
            _close(arun, stack, here)
    finally:
        _close(arun, stack, desk_a)
        arun(at_a.close())
