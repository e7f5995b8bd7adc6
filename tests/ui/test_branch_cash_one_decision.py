"""A transfer's decision is sent once: Approve pressed twice in a row (a double-click), or
Approve then Reject, sends one decision while it is on its way. A second would meet the
hub's refusal (the transfer is decided) and say "Approval refused." beside a transfer the
first approved. Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_position import BranchCashView

from .conftest import TELLER
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-one-decision")


def test_two_presses_send_one_decision(qtbot: Any, ops: Any, arun: Any, stack: Any,
                                       english: Any, monkeypatch: Any) -> None:
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    cash = hub_cash(teller)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, teller, f"D{uuid.uuid4().hex[:5]}",
                       {"note_100": 5})
    sup_till = TillService(LinkCalls(supervisor.hub), "sup-once")
    first = arun(cash.till.request_transfer("to_vault", Decimal("10.00")))
    second = arun(cash.till.request_transfer("to_vault", Decimal("20.00")))
    sent: list[tuple[str, bool]] = []
    decide = sup_till.decide_transfer

    gate = asyncio.Event()

    async def counted(transfer_id: str, approve: bool) -> Any:
        sent.append((transfer_id, approve))
        await gate.wait()
        return await decide(transfer_id, approve)

    monkeypatch.setattr(sup_till, "decide_transfer", counted)
    try:
        view = BranchCashView(ops, sup_till, supervisor.branch_guid)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.position is not None, timeout=15000)
        for transfer, again in ((first, view.approve_button), (second, view.reject_button)):
            ids = [t.id for t in view.position.pending_transfers]
            view.transfers.selectRow(ids.index(transfer.id))
            gate.clear()
            view.approve_button.click()  # the decision held on its way
            with qtbot.waitSignal(view.loaded, timeout=15000):
                view.refresh()  # a read meanwhile (a live event) offers no second press
            assert not view.approve_button.isEnabled() and not view.reject_button.isEnabled()
            again.click()  # the double-click; Approve then Reject
            with qtbot.waitSignal(view.loaded, timeout=15000):  # read after the decision
                gate.set()
            qtbot.waitUntil(lambda: not ops.is_busy(), timeout=15000)
            assert sent == [(transfer.id, True)]
            sent.clear()
            assert transfer.id not in [t.id for t in view.position.pending_transfers]
            assert "refused" not in view.status.text()  # told nothing against the outcome
            assert view.transfer_part.refused == {}
        assert not [t for t in arun(sup_till.position(supervisor.branch_guid)).pending_transfers
                    if t.id in (first.id, second.id)]  # both approved, once
        view.close()
    finally:
        waiting = {t.id for t in arun(sup_till.position(supervisor.branch_guid))
                   .pending_transfers}
        for transfer in (first, second):
            if transfer.id in waiting:
                arun(decide(transfer.id, False))
        current = arun(cash.till.current())
        if current is not None:
            arun(cash.till.close(current.open_counts, "test clean-up"))
        ops.cancel_all()
        arun(teller.close())
        arun(supervisor.close())
