"""A vault→till transfer the vault cannot cover reads so in the branch cash position before
the supervisor presses Approve: beside it the vault's figure and the shortfall ("Holds
0.00 UAH: short by 250.00 UAH."), the whole of it under the table once it is selected. The
hub stays the control: Approve is still offered, the hub refuses it (``vault_short``) and its
refusal is worded beside the transfer, not only at the bottom of the window. A transfer the
vault covers (one to the vault) says nothing. Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.money import format_uah
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_text import hub_code_text

from .conftest import TELLER
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-vault-short")
SHORT = Decimal("250.00")


def test_a_transfer_the_vault_cannot_cover_says_so(qtbot: Any, ops: Any, arun: Any,
                                                   stack: Any, english: Any) -> None:
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    cash = hub_cash(teller)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, teller, f"S{uuid.uuid4().hex[:5]}",
                       {"note_100": 5})
    sup_till = TillService(LinkCalls(supervisor.hub), "sup-short")
    vault = arun(sup_till.position(supervisor.branch_guid)).vault
    short = arun(cash.till.request_transfer("to_till", vault + SHORT))
    back = arun(cash.till.request_transfer("to_vault", Decimal("10.00")))
    decided: list[str] = []
    try:
        view = BranchCashView(ops, sup_till, supervisor.branch_guid)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.position is not None, timeout=15000)
        assert view.position is not None
        ids = [t.id for t in view.position.pending_transfers]

        # beside the transfer, before anyone presses Approve
        beside = f"Holds {format_uah(vault)}: short by {format_uah(SHORT)}."
        assert view.transfers.item(ids.index(short.id), 3).text() == beside
        assert view.transfers.item(ids.index(back.id), 3).text() == ""  # covered: nothing
        assert not view.transfer_part.note.isVisibleTo(view)

        # selected: the whole of it under the table; Approve still offered (the hub decides)
        view.transfers.selectRow(ids.index(short.id))
        note = view.transfer_part.note
        assert note.isVisibleTo(view)
        assert (f"The vault holds {format_uah(vault)}, so this transfer of "
                f"{format_uah(vault + SHORT)} to the till is short by {format_uah(SHORT)}."
                in note.text())
        assert view.approve_button.isEnabled()

        # the hub refuses it: worded beside the transfer, which still waits
        refused = "The Teller Hub refused it. " + str(hub_code_text("vault_short"))
        with qtbot.waitSignal(view.loaded, timeout=15000):  # read again after the refusal
            view.approve_button.click()
        row = [t.id for t in view.position.pending_transfers].index(short.id)
        assert view.transfers.item(row, 3).text() == f"{beside} Approval refused."
        assert refused in note.text() and note.isVisibleTo(view)
        assert view.transfers.selectionModel().selectedRows()[0].row() == row
        assert refused not in view.status.text()  # not only at the bottom: beside it

        # the transfer to the vault selected: nothing to say
        view.transfers.selectRow([t.id for t in view.position.pending_transfers].index(back.id))
        assert not note.isVisibleTo(view)

        # rejected after that refusal: the outcome is the rejection, not the old refusal
        view.transfers.selectRow([t.id for t in view.position.pending_transfers].index(short.id))
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.reject_button.click()
        decided.append(short.id)
        assert short.id not in [t.id for t in view.position.pending_transfers]
        assert refused not in view.status.text()
        view.close()
    finally:
        for transfer in (short, back):
            if transfer.id not in decided:
                arun(sup_till.decide_transfer(transfer.id, False))
        current = arun(cash.till.current())
        if current is not None:
            arun(cash.till.close(current.open_counts, "test clean-up"))
        ops.cancel_all()
        arun(teller.close())
        arun(supervisor.close())
