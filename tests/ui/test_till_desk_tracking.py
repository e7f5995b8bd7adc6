"""The Till menu follows the signed-in teller's own till (embedded sandbox + Teller Hub).

- A close dialog's till is offered as the report only to its own teller signed in here (a
  close landing after another employee signed in in place pointed their report at it).
- The first till read failing (the hub unreachable at sign-in), the desk never heartbeated
  until a teller's step took the till: the heartbeat's tick now reads again, and tracks it.
- The hub saying the teller has no till (a heartbeat's 409), nothing more is sent (a 409
  every 30 s until the next till read)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest

from teller_app.platform.errors import Conflict, HubUnavailable

from .conftest import TELLER
from .embedded_desk import embedded_stack, hub_desk_window, hub_session, open_cosigned_till
from .test_till_heartbeat_holder_only import (
    COUNTS,
    Counted,
    _close,
    _lapse,
    _tick,
    _window_till,
)

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-till-desk-tracking")


def test_the_report_is_offered_only_for_the_signed_in_tellers_till(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english, monkeypatch) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
        till_desk, here, _counted, _ticks = _window_till(qtbot, ops, arun, stack,
                                                        monkeypatch, window)
        till = open_cosigned_till(arun, stack, here, window.session,
                                  f"R{uuid.uuid4().hex[:5]}", COUNTS)
        try:
            closed = arun(here.close(till.open_counts, "test"))
            assert closed.state == "closed"
            theirs = dataclasses.replace(closed, teller="someone.else@demo.bank")
            till_desk._closed(theirs)  # another teller's close dialog's ``closed``
            assert till_desk.last_closed is None
            assert not till_desk.report_action.isEnabled()
            till_desk._closed(dataclasses.replace(closed, teller=TELLER.upper()))
            assert till_desk.last_closed == closed.id
            assert till_desk.report_action.isEnabled()
        finally:
            _close(arun, stack, here)


def test_a_failed_first_read_is_read_again_and_the_till_tracked(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, english, monkeypatch) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, TELLER) as window:
        till_desk, here, counted, ticks = _window_till(qtbot, ops, arun, stack, monkeypatch,
                                                       window)
        open_cosigned_till(arun, stack, here, window.session, f"F{uuid.uuid4().hex[:5]}",
                           COUNTS)
        try:
            # the co-sign's live event reads the menu: that read is done before the test's
            qtbot.waitUntil(lambda: till_desk.till is not None
                            and not ops.is_busy(f"till-menu-{id(till_desk)}"), timeout=15000)
            real = counted.inner
            failing = {"left": 1}

            class Unreachable:
                async def call(self, method: str, path: str, **kwargs: Any) -> Any:
                    if path.endswith("/tills/current") and failing["left"]:
                        failing["left"] -= 1
                        raise HubUnavailable("the hub is not reachable")
                    return await real.call(method, path, **kwargs)

            counted.inner = Unreachable()
            till_desk.apply()  # the sign-in's read: it fails
            qtbot.waitUntil(lambda: failing["left"] == 0
                            and not ops.is_busy(f"till-menu-{id(till_desk)}"), timeout=15000)
            assert till_desk.till is None
            assert till_desk.timer.isActive()  # its ticks read again
            till_desk.heartbeat()  # a tick: the hub answers now
            qtbot.waitUntil(lambda: till_desk.till is not None, timeout=15000)
            assert here.held_here
            _tick(qtbot, till_desk, ticks)
            assert counted.sent == 1  # the lease is kept from then on
        finally:
            _close(arun, stack, here)


def test_no_till_at_the_hub_stops_the_heartbeat(arun, stack) -> None:  # type: ignore[no-untyped-def]
    """The till service alone (no window whose live reads would learn it first)."""
    from teller_app.core.till import TillService
    from teller_app.core.till_cash import LinkCalls

    session = hub_session(arun, stack, TELLER)
    counted = Counted(LinkCalls(session.hub))
    here = TillService(counted, "desk-C")
    other = TillService(LinkCalls(session.hub), "desk-B")
    try:
        till = open_cosigned_till(arun, stack, here, session, f"N{uuid.uuid4().hex[:5]}",
                                  COUNTS)
        assert here.held_here
        # the till is closed at another desk (this one's lease lapsed): not told here
        assert _lapse(stack) == 1
        arun(other.close(till.open_counts, "closed at desk B"))
        with pytest.raises(Conflict):
            arun(here.heartbeat())  # the hub: you have no open till
        assert counted.sent == 1 and not here.held_here
        for _ in range(3):
            assert arun(here.heartbeat()) is None
        assert counted.sent == 1  # nothing more sent
    finally:
        _lapse(stack)
        current = arun(other.current())
        if current is not None:
            arun(other.close(current.open_counts, "test clean-up"))
        arun(session.close())
