"""The Till menu's reads of the till (``TillDesk``): a heartbeat answered after a session
switch does not bring the previous session's till into the new one's menu; answers coming
often do not put the lease heartbeat off; a read a live event started asks for no password;
a till dialog closed is never queued a decision (closed dialogs are not deleted). A stand-in
till service answers from memory."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from teller_app.core.till import Till
from teller_app.platform.errors import AuthError
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_desk import HEARTBEAT_MS
from teller_app.ui.till_report import ReportContext

from .conftest import TELLER


def _till(till_id: str, state: str = "open") -> Till:
    return Till(id=till_id, till_code="T1", state=state, teller=TELLER, branch_guid=None,
                open_total=Decimal("3000.00"), expected=Decimal("3000.00"),
                counted=Decimal("2900.00"), over_short=Decimal("-100.00"))


class Stand:
    """A till service: the heartbeat held until ``gate`` opens; ``current`` as set."""

    def __init__(self) -> None:
        self.gate, self.beat_sent = asyncio.Event(), asyncio.Event()
        self.current_till: Till | None = None
        self.current_error: BaseException | None = None
        self.reads = 0

    async def heartbeat(self) -> Till | None:
        self.beat_sent.set()
        await self.gate.wait()
        return _till("a-till")

    async def current(self) -> Till | None:
        self.reads += 1
        if self.current_error is not None:
            raise self.current_error
        return self.current_till

    async def end_of_day(self, till_id: str, _people: Any) -> Any:
        raise AssertionError("not read here")


def test_a_heartbeat_answered_after_a_switch_is_dropped(main_window, qtbot,  # type: ignore[no-untyped-def]
                                                        monkeypatch) -> None:
    desk, stand = main_window.till_desk, Stand()
    monkeypatch.setattr(desk, "service", lambda: stand)
    desk._set_till(_till("a-till"))  # employee A's till, open
    desk.timer.stop()
    desk.heartbeat()  # sent for A, its answer held
    qtbot.waitUntil(stand.beat_sent.is_set, timeout=5000)
    desk.apply()  # the session switched (to an employee without a till here)
    assert desk.till is None
    stand.gate.set()
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert desk.till is None  # A's till is not B's
    assert not desk.timer.isActive()


def test_answers_coming_often_do_not_put_the_heartbeat_off(main_window, qtbot,  # type: ignore[no-untyped-def]
                                                           monkeypatch) -> None:
    desk = main_window.till_desk
    # precise: a coarse timer's deadline is rounded (up to 5 %), hiding a restart
    desk.timer.setTimerType(Qt.TimerType.PreciseTimer)
    desk._set_till(_till("a-till"))
    assert desk.timer.isActive()
    qtbot.waitUntil(lambda: desk.timer.remainingTime() < HEARTBEAT_MS - 30, timeout=5000)
    for _ in range(3):  # a decision's read, another's...
        desk._read_answer()(_till("a-till"))
        assert desk.timer.isActive()
        assert desk.timer.remainingTime() < HEARTBEAT_MS - 30  # not started again
    desk.timer.stop()


def test_a_read_a_live_event_started_asks_for_no_password(main_window, qtbot,  # type: ignore[no-untyped-def]
                                                          monkeypatch) -> None:
    desk, stand = main_window.till_desk, Stand()
    stand.current_error = AuthError("session expired", status_code=401, reason="expired")
    monkeypatch.setattr(desk, "service", lambda: stand)
    asked: list[BaseException] = []

    def prompt(exc: BaseException, _retry: Any, _give_up: Any) -> bool:
        asked.append(exc)
        return True

    monkeypatch.setattr(main_window.ops, "reauthenticate", prompt)
    monkeypatch.setattr(desk, "_teller", True)
    desk.menu_soon()  # a decision moved the till: the menu reads it
    qtbot.waitUntil(lambda: stand.reads == 1 and not main_window.ops.is_busy(), timeout=5000)
    assert asked == []  # nothing pressed: no password prompt


@pytest.mark.usefixtures("english")
def test_a_closed_till_dialog_is_told_nothing_later(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    desk, stand = main_window.till_desk, Stand()
    closed = TillCloseDialog(main_window.ops, stand, _till("t7", "close_cosign"),  # type: ignore[arg-type]
                             ReportContext("Bank", "Branch", TELLER), parent=main_window)
    closed.show()
    early = TillCloseDialog(main_window.ops, stand, _till("t8", "close_cosign"),  # type: ignore[arg-type]
                            ReportContext("Bank", "Branch", TELLER), parent=main_window)
    desk._show(early)  # the Till menu's way: closed before any decision comes
    early.reject()
    event = HubEvent.model_validate({"id": 9, "kind": "till.decided", "teller": TELLER,
                                     "what": "transfer", "transfer_id": "x",
                                     "state": "approved", "amount": "10.00"})
    desk.till_decided(event)  # told while open
    closed.reject()
    for _ in range(3):  # the rest of the day's decisions
        desk.till_decided(event)
    assert closed not in desk._told_later and early not in desk._told_later
