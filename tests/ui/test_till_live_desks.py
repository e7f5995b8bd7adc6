"""Till work waiting for a supervisor is live between real desks (embedded sandbox + Teller
Hub): a teller files a vault transfer, and the supervisor's desk, with its branch cash
position open, says so at once (who, how much, where to act) and reads the position again;
the teller's desk is told the supervisor's decision. No Refresh pressed anywhere."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_position import BranchCashView

from .conftest import TELLER
from .embedded_desk import (
    SUPERVISOR,
    embedded_stack,
    hub_desk_window,
    hub_session,
    open_cosigned_till,
)

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-till-live")


def test_a_filed_transfer_reaches_the_supervisor_and_the_decision_the_teller(
        qtbot: Any, ops: Any, arun: Any, stack: Any, english: Any) -> None:
    teller = hub_session(arun, stack, TELLER)
    cash = hub_cash(teller)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, teller, f"L{uuid.uuid4().hex[:5]}",
                       {"note_100": 5})
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR) as desk:
        sup = desk.session
        sup_feed = desk.supervision.feed
        assert sup_feed is not None
        qtbot.waitUntil(lambda: sup_feed.connected, timeout=15000)  # follows from here on
        view = BranchCashView(ops, TillService(LinkCalls(sup.hub), "sup-live"),
                              sup.branch_guid, parent=desk)
        view.show()
        qtbot.waitUntil(lambda: view.position is not None, timeout=15000)
        with qtbot.waitSignal(view.loaded, timeout=20000):  # read again, by the event alone
            transfer = arun(cash.till.request_transfer("to_vault", Decimal("120.00")))
        assert transfer.id in [t.id for t in view.position.pending_transfers]
        qtbot.waitUntil(lambda: "asks to hand 120.00" in desk.status_bar.currentMessage(),
                        timeout=10000)
        said = desk.status_bar.currentMessage()
        assert "back to the vault" in said and "Till ▸ Branch cash position" in said

        # the teller's own desk hears the decision
        with hub_desk_window(qtbot, ops, arun, stack, TELLER) as teller_desk:
            feed = teller_desk.supervision.feed
            assert feed is not None
            qtbot.waitUntil(lambda: feed.connected, timeout=15000)  # follows from here on
            view.transfers.selectRow([t.id for t in view.position.pending_transfers]
                                     .index(transfer.id))
            view.approve_button.click()
            qtbot.waitUntil(lambda: "approved your vault transfer of 120.00"
                            in teller_desk.status_bar.currentMessage(), timeout=20000)
        view.close()
    current = arun(cash.till.current())
    if current is not None:
        arun(cash.till.close(current.open_counts, "test clean-up"))
    ops.cancel_all()
    arun(teller.close())
