"""The hub's till events read the open till windows again, as their own buttons would: the
branch cash position (once for several events in one turn of the loop, its selection kept),
the teller's close waiting for its co-sign ("Check the co-sign"), the opening waiting for
its co-sign, and the vault transfer filed (its decision said). Only the till or transfer the
event names; the stand-in services count the reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till import BranchPosition, EndOfDay, Till, Transfer
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_dialog import TillOpenDialog
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_report import ReportContext
from teller_app.ui.till_transfer import TransferDialog

from .conftest import TELLER


def _till(till_id: str, state: str, code: str = "T1") -> Till:
    return Till(id=till_id, till_code=code, state=state, teller=TELLER, branch_guid=None,
                open_total=Decimal("3000.00"), expected=Decimal("3000.00"),
                counted=Decimal("2900.00"), over_short=Decimal("-100.00"))


class Stand:
    """A till service answering from memory and counting what is read."""

    def __init__(self) -> None:
        self.reads: dict[str, int] = {"position": 0, "end_of_day": 0, "current": 0}
        self.current_till: Till | None = None

    async def position(self, _branch: str | None) -> BranchPosition:
        self.reads["position"] += 1
        return BranchPosition(None, Decimal("100000.00"), Decimal("106000.00"),
                              (_till("a", "cosign"), _till("b", "close_cosign", "T2")), ())

    async def end_of_day(self, till_id: str, _people: Any) -> EndOfDay:
        self.reads["end_of_day"] += 1
        return EndOfDay(_till(till_id, "close_cosign"), (), {})

    async def current(self) -> Till | None:
        self.reads["current"] += 1
        return self.current_till

    async def request_transfer(self, direction: str, amount: Decimal,
                               transfer_id: str) -> Transfer:
        return Transfer(transfer_id, direction, amount, "pending", TELLER)


def _shown_close(window: Any, stand: Stand, till: Till) -> TillCloseDialog:
    """The close dialog of ``till`` on ``stand``, shown over ``window``."""
    dialog = TillCloseDialog(window.ops, stand, till,  # type: ignore[arg-type]
                             ReportContext("Bank", "Branch", TELLER), parent=window)
    dialog.show()
    return dialog


def _event(kind: str, **data: Any) -> HubEvent:
    return HubEvent.model_validate({"id": 9, "kind": kind, "teller": TELLER, **data})


@pytest.mark.usefixtures("english")
def test_the_branch_position_reads_again_once(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    stand = Stand()
    view = BranchCashView(main_window.ops, stand, parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    view.tills.selectRow(1)
    assert stand.reads["position"] == 1
    feed = main_window.supervision._on_event
    with qtbot.waitSignal(view.loaded, timeout=5000):
        feed(_event("till.waiting", what="transfer", till_id="b", amount="10.00",
                    teller="other@demo.bank"))
        feed(_event("till.waiting", what="close_cosign", till_id="b", over_short="-1.00",
                    teller="other@demo.bank"))
        feed(_event("till.decided", what="open_cosign", till_id="a", state="cosigned",
                    teller="other@demo.bank", checker="boss@demo.bank"))
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["position"] == 2  # three events, one read
    assert view.tills.currentRow() == 1 and view.close_cosign_button.isEnabled()
    view.hide()  # a closed window is not read
    feed(_event("till.decided", what="close_cosign", till_id="b", state="cosigned"))
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["position"] == 2


@pytest.mark.usefixtures("english")
def test_the_close_waiting_for_its_cosign_checks_by_itself(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    stand = Stand()
    dialog = _shown_close(main_window, stand, _till("t7", "close_cosign"))
    feed = main_window.supervision._on_event
    feed(_event("till.decided", what="close_cosign", till_id="t8", state="cosigned"))
    feed(_event("till.decided", what="open_cosign", till_id="t7", state="cosigned"))
    feed(_event("till.decided", what="close_cosign", till_id="t7", state="cosigned",
                teller="other@demo.bank"))  # another teller's till
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["end_of_day"] == 0
    feed(_event("till.decided", what="close_cosign", till_id="t7", state="cosigned"))
    qtbot.waitUntil(lambda: stand.reads["end_of_day"] == 1, timeout=5000)
    qtbot.waitUntil(lambda: dialog.status.text() == "The close still waits for a "
                    "supervisor's co-sign.", timeout=5000)


@pytest.mark.usefixtures("english")
def test_the_opening_and_the_transfer_hear_their_decision(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    stand = Stand()
    opening = TillOpenDialog(main_window.ops, stand, parent=main_window)  # type: ignore[arg-type]
    opening.show()
    opening._shown(_till("t7", "cosign"))  # counted, waiting for the co-sign
    feed = main_window.supervision._on_event
    feed(_event("till.decided", what="open_cosign", till_id="t1", state="cosigned"))
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["current"] == 0
    stand.current_till = _till("t7", "open")
    feed(_event("till.decided", what="open_cosign", till_id="t7", state="cosigned"))
    qtbot.waitUntil(lambda: opening.status.text().startswith("Till T1 is open"), timeout=5000)
    assert stand.reads["current"] == 1

    transfer = TransferDialog(main_window.ops, stand, parent=main_window)  # type: ignore[arg-type]
    transfer.show()
    transfer.amount.setText("5000")
    transfer.request()
    qtbot.waitUntil(lambda: transfer.transfer is not None, timeout=5000)
    assert transfer.transfer is not None
    filed = transfer.status.text()
    feed(_event("till.decided", what="transfer", transfer_id="another", state="approved",
                amount="5000.00"))
    assert transfer.status.text() == filed
    feed(_event("till.decided", what="transfer", transfer_id=transfer.transfer.id,
                state="rejected", amount="5000.00"))
    assert transfer.status.text() == "A supervisor rejected this transfer of 5,000.00\u00a0UAH."


@pytest.mark.usefixtures("english")
def test_a_till_that_does_not_say_its_transfers_shows_no_empty_warning(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown_close(main_window, Stand(), _till("t9", "open"))
    qtbot.waitExposed(dialog)
    assert dialog.till.pending_transfers is None
    assert not dialog.transfers_pending.isVisible()  # no empty error-coloured row


@pytest.mark.usefixtures("english")
def test_the_branch_position_reads_again_when_the_vault_count_closes(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A count recorded whose position read failed ends without ``saved``: the window still
    shows the vault as it reads now once the count's dialog is closed."""
    stand = Stand()
    view = BranchCashView(main_window.ops, stand, parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    view.count_vault()
    assert view.vault_dialog is not None
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.vault_dialog.reject()
    assert stand.reads["position"] == 2


class ClosedStand(Stand):
    async def end_of_day(self, till_id: str, _people: Any) -> EndOfDay:
        self.reads["end_of_day"] += 1
        return EndOfDay(_till(till_id, "closed"), (), {})


@pytest.mark.usefixtures("english")
def test_a_close_cosigned_here_and_told_live_finishes_once(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The supervisor co-signs at the teller's desk; the hub's event of that co-sign reaches
    the same desk while the co-sign's own read runs: one close, one report."""
    stand = ClosedStand()
    dialog = _shown_close(main_window, stand, _till("t7", "close_cosign"))
    closed: list[Any] = []
    dialog.closed.connect(closed.append)
    main_window.supervision._on_event(
        _event("till.decided", what="close_cosign", till_id="t7", state="cosigned"))
    dialog._closed(EndOfDay(_till("t7", "closed"), (), {}))  # the co-sign here's own end
    qtbot.waitUntil(lambda: stand.reads["end_of_day"] == 1, timeout=5000)
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert len(closed) == 1


@pytest.mark.usefixtures("english")
def test_a_hidden_position_reads_again_when_shown(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Hidden (the lock screen hides open windows) when an event comes: read once shown."""
    stand = Stand()
    view = BranchCashView(main_window.ops, stand, parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    view.hide()
    main_window.supervision._on_event(_event("till.waiting", what="transfer", till_id="b",
                                              amount="10.00", teller="other@demo.bank"))
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["position"] == 1  # nothing read for a window nobody sees
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.show()
    assert stand.reads["position"] == 2


class MovingStand(Stand):
    """The first read: every till open; then one waits for its close's co-sign."""

    async def position(self, _branch: str | None) -> BranchPosition:
        self.reads["position"] += 1
        state = "open" if self.reads["position"] == 1 else "close_cosign"
        return BranchPosition(None, Decimal("100000.00"), Decimal("106000.00"),
                              (_till("a", "open"), _till("b", state, "T2")), ())


@pytest.mark.usefixtures("english")
def test_a_state_read_live_is_not_cut(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The widths stay as first fitted, but a column a new text would be cut in (a till now
    "closing, waiting for a co-sign") widens; a column the supervisor sized stays theirs."""
    stand = MovingStand()
    view = BranchCashView(main_window.ops, stand, parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    state, teller = 2, 1
    narrow = view.tills.columnWidth(state)
    view.tills.horizontalHeader().resizeSection(teller, 300)  # the supervisor's own width
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.refresh()
    assert view.tills.item(1, state).text() != view.tills.item(0, state).text()
    assert view.tills.columnWidth(state) > narrow
    assert view.tills.columnWidth(state) >= view.tills.sizeHintForColumn(state)
    assert view.tills.columnWidth(teller) == 300


@pytest.mark.usefixtures("english")
def test_head_office_reads_only_the_branch_it_shows(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    stand = Stand()
    view = BranchCashView(main_window.ops, stand, "branch-a", parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    feed = main_window.supervision._on_event
    feed(_event("till.waiting", what="transfer", till_id="b", amount="10.00",
                teller="other@demo.bank", branch_guid="branch-b"))  # another branch's
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["position"] == 1
    with qtbot.waitSignal(view.loaded, timeout=5000):
        feed(_event("till.waiting", what="transfer", till_id="b", amount="10.00",
                    teller="other@demo.bank", branch_guid="branch-a"))
    assert stand.reads["position"] == 2


@pytest.mark.usefixtures("english")
def test_a_close_hidden_by_the_lock_checks_when_shown_again(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    stand = Stand()
    dialog = _shown_close(main_window, stand, _till("t7", "close_cosign"))
    dialog.hide()  # as the lock screen hides open windows
    main_window.supervision._on_event(
        _event("till.decided", what="close_cosign", till_id="t7", state="cosigned"))
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads["end_of_day"] == 0  # nobody sees it yet
    dialog.show()  # unlocked
    qtbot.waitUntil(lambda: stand.reads["end_of_day"] == 1, timeout=5000)
