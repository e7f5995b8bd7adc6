"""Live till decisions between real desks (embedded sandbox + Teller Hub), no button pressed
and no heartbeat waited for: the teller's Till menu follows the supervisor's co-sign of the
opening at once (Vault transfer offered), and a supervisor's vault count waiting for its
co-sign ends by itself when another desk's newer count replaces it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.till_desk import hub_cash

from .conftest import TELLER
from .dialog_reading import open_branch_position
from .embedded_desk import SUPERVISOR, embedded_stack, hub_desk_window, hub_session

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-till-live-menu")


def test_the_till_menu_follows_the_opening_cosign(qtbot: Any, ops: Any, arun: Any,
                                                  stack: Any, english: Any) -> None:
    supervisor = hub_session(arun, stack, SUPERVISOR)
    with hub_desk_window(qtbot, ops, arun, stack, TELLER) as desk:
        till_desk, feed = desk.till_desk, desk.supervision.feed
        assert feed is not None
        qtbot.waitUntil(lambda: feed.connected, timeout=15000)  # follows from here on
        cash = hub_cash(desk.session)
        assert cash is not None
        opened = arun(cash.till.open(f"M{uuid.uuid4().hex[:5]}", {"note_100": 5}))
        assert opened.needs_cosign  # a first opening waits for its co-sign
        try:
            till_desk.apply()  # the menu reads it, as after the opening dialog
            qtbot.waitUntil(lambda: till_desk.till is not None
                            and till_desk.close_action.isEnabled(), timeout=15000)
            assert not till_desk.transfer_action.isEnabled()
            till_desk.timer.stop()  # no heartbeat: the event alone
            arun(TillService(LinkCalls(supervisor.hub), "sup-menu").cosign(opened.id))
            qtbot.waitUntil(till_desk.transfer_action.isEnabled, timeout=15000)
            assert till_desk.close_action.isEnabled() and not till_desk.open_action.isEnabled()
        finally:
            current = arun(cash.till.current())
            if current is not None:
                arun(cash.till.close(current.open_counts, "test clean-up"))
    arun(supervisor.close())


def test_a_heartbeat_sent_before_the_decision_does_not_bring_the_old_state_back(
        qtbot: Any, ops: Any, arun: Any, stack: Any, english: Any, monkeypatch: Any) -> None:
    supervisor = hub_session(arun, stack, SUPERVISOR)
    with hub_desk_window(qtbot, ops, arun, stack, TELLER) as desk:
        till_desk, feed = desk.till_desk, desk.supervision.feed
        assert feed is not None
        qtbot.waitUntil(lambda: feed.connected, timeout=15000)
        cash = hub_cash(desk.session)
        assert cash is not None
        opened = arun(cash.till.open(f"H{uuid.uuid4().hex[:5]}", {"note_100": 5}))
        try:
            till_desk.apply()
            qtbot.waitUntil(lambda: till_desk.till is not None
                            and till_desk.close_action.isEnabled(), timeout=15000)
            till_desk.timer.stop()
            # the heartbeat reads the till before the co-sign and its answer comes late
            gate, read_early = asyncio.Event(), asyncio.Event()
            beat = cash.till.heartbeat

            async def late_heartbeat() -> Any:
                answer = await beat()
                read_early.set()
                await gate.wait()
                return answer

            heard: list[Any] = []
            made = till_desk._read_answer

            def spy() -> Any:
                answered = made()

                def told(till: Any) -> None:
                    answered(till)
                    heard.append(till)
                return told

            monkeypatch.setattr(cash.till, "heartbeat", late_heartbeat)
            monkeypatch.setattr(till_desk, "_read_answer", spy)
            till_desk.heartbeat()
            qtbot.waitUntil(read_early.is_set, timeout=15000)
            arun(TillService(LinkCalls(supervisor.hub), "sup-beat").cosign(opened.id))
            qtbot.waitUntil(till_desk.transfer_action.isEnabled, timeout=15000)
            gate.set()
            qtbot.waitUntil(lambda: any(t is not None and t.state == "cosign" for t in heard),
                            timeout=15000)  # the heartbeat's old answer arrived
            assert till_desk.till is not None and till_desk.till.state == "open"
            assert till_desk.transfer_action.isEnabled()
        finally:
            current = arun(cash.till.current())
            if current is not None:
                arun(cash.till.close(current.open_counts, "test clean-up"))
    arun(supervisor.close())


def test_a_waiting_vault_count_hears_it_was_replaced(qtbot: Any, ops: Any, arun: Any,
                                                     stack: Any, english: Any) -> None:
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR) as desk:
        feed = desk.supervision.feed
        assert feed is not None
        qtbot.waitUntil(lambda: feed.connected, timeout=15000)
        view = open_branch_position(qtbot, desk)
        view.count_vault()
        dialog = view.vault_dialog
        assert dialog is not None and dialog.book is not None
        typed = {"note_1000": int(dialog.book // 1000) + 1}
        dialog.grid.set_counts(typed)
        dialog.reason.setText("live recount")
        with qtbot.waitSignal(dialog.saved, timeout=15000):
            dialog.save.click()
        assert dialog.count is not None and not dialog.save.isEnabled()  # waits
        other = TillService(LinkCalls(desk.session.hub), "other-sup-desk")
        arun(other.count_vault({"note_1000": typed["note_1000"] + 1}, desk.session.branch_guid,
                               "a newer count"))
        qtbot.waitUntil(dialog.save.isEnabled, timeout=15000)  # no Check pressed
        assert dialog.status.text() == "A newer count of the vault replaced this one."
        assert dialog.grid.counts() == typed
        dialog.reject()
        view.close()
