"""The last of the live till work at the desk, on stand-in services (the events fed as the
supervision feed hands them over):

- the vault count waiting for its co-sign checks by itself when the hub says it was decided
  (co-signed: the dialog ends; replaced by a newer count: the count comes back to count
  again), only for its own count, and one hidden by the lock screen when it shows again;
- the branch cash position says the hub's refusal of a decision once: in full in the note
  under the buttons, the Vault column only marking what was tried; selecting a short
  transfer (its note appearing) moves no button;
- a till's state words start alike (capitalised), in the State column too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from teller_app.core.till import BranchPosition, Till, Transfer, VaultCount
from teller_app.platform.errors import Conflict
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.money import format_uah
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_text import hub_code_text, till_state_text
from teller_app.ui.till_vault_count import VaultCountDialog

from .conftest import TELLER

BOOK, COUNTED = Decimal("4000.00"), Decimal("4500.00")


def _count(count_id: str, state: str) -> VaultCount:
    return VaultCount(count_id, COUNTED, BOOK, COUNTED - BOOK, state, TELLER, "recount",
                      None if state == "pending" else "other@demo.bank")


class VaultStand:
    """Answers a vault count's check as the hub would once it was decided (``state``)."""

    def __init__(self, state: str) -> None:
        self.state, self.reads = state, 0

    async def vault_count(self, count_id: str) -> VaultCount:
        self.reads += 1
        return _count(count_id, self.state)

    async def position(self, _branch: str | None) -> BranchPosition:
        return BranchPosition(None, BOOK, BOOK, (), ())


def _decided(**data: Any) -> HubEvent:
    return HubEvent.model_validate({"id": 5, "kind": "till.decided", "what": "vault_count",
                                    "teller": TELLER, "checker": "other@demo.bank",
                                    "amount": str(COUNTED), **data})


def _waiting_dialog(window: Any, stand: VaultStand) -> VaultCountDialog:
    dialog = VaultCountDialog(window.ops, stand, None, window,  # type: ignore[arg-type]
                              book=BOOK)
    dialog.show()
    dialog.grid.set_counts({"note_500": 9})  # COUNTED
    dialog.reason.setText("recount")
    dialog._wait_for_cosign(_count("c-1", "pending"))  # saved, waiting for its co-sign
    return dialog


@pytest.mark.usefixtures("english")
def test_the_vault_count_hears_its_cosign(main_window: Any, qtbot: Any) -> None:
    stand = VaultStand("applied")
    dialog = _waiting_dialog(main_window, stand)
    feed = main_window.supervision._on_event
    feed(_decided(count_id="c-0", state="cosigned"))  # another count
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads == 0 and dialog.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        feed(_decided(count_id="c-1", state="cosigned"))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert stand.reads == 1 and dialog.result() == VaultCountDialog.DialogCode.Accepted


@pytest.mark.usefixtures("english")
def test_the_vault_count_replaced_comes_back_to_count_again(main_window: Any,
                                                             qtbot: Any) -> None:
    stand = VaultStand("superseded")
    dialog = _waiting_dialog(main_window, stand)
    assert not dialog.save.isEnabled()
    main_window.supervision._on_event(_decided(count_id="c-1", state="superseded"))
    qtbot.waitUntil(dialog.save.isEnabled, timeout=5000)
    assert dialog.status.text() == "A newer count of the vault replaced this one."
    assert dialog.isVisible() and dialog.grid.isEnabled() and stand.reads == 1
    assert dialog.grid.counts() == {"note_500": 9}  # as it was typed


@pytest.mark.usefixtures("english")
def test_a_vault_count_hidden_by_the_lock_checks_when_shown_again(main_window: Any,
                                                                   qtbot: Any) -> None:
    stand = VaultStand("applied")
    dialog = _waiting_dialog(main_window, stand)
    dialog.hide()  # as the lock screen hides open windows
    main_window.supervision._on_event(_decided(count_id="c-1", state="cosigned"))
    qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=5000)
    assert stand.reads == 0  # nobody sees it yet
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.show()  # unlocked
    assert stand.reads == 1


SHORT = Transfer("tr-short", "to_till", Decimal("900.00"), "pending", TELLER)
BACK = Transfer("tr-back", "to_vault", Decimal("10.00"), "pending", TELLER)
VAULT = Decimal("100.00")


class PositionStand:
    """A branch whose vault cannot cover one transfer; the hub refuses its approval."""

    def __init__(self) -> None:
        self.tills = tuple(Till(f"t{n}", f"T{n}", state, TELLER, None, Decimal("500.00"),
                                Decimal("500.00"))
                           for n, state in enumerate(("open", "cosign", "close_cosign",
                                                      "close_review")))

    async def position(self, _branch: str | None) -> BranchPosition:
        return BranchPosition(None, VAULT, VAULT + Decimal("2000.00"), self.tills,
                              (SHORT, BACK))

    async def decide_transfer(self, _transfer_id: str, _approve: bool) -> Transfer:
        refused = Conflict("the vault does not hold that much", status_code=409,
                           method="POST", path="/tills/transfers/x/decide",
                           reason="vault_short")
        refused.source = "hub"
        raise refused


def _buttons(view: BranchCashView) -> dict[str, Any]:
    view.layout().activate()  # laid out now, as the next paint would
    return {b.text(): b.geometry() for b in view.findChildren(QPushButton)}


@pytest.mark.usefixtures("english")
def test_the_refusal_is_said_once_and_no_button_moves(main_window: Any, qtbot: Any) -> None:
    view = BranchCashView(main_window.ops, PositionStand(), parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    qtbot.waitExposed(view)
    note = view.transfer_part.note
    still = _buttons(view)
    view.transfers.selectRow(0)  # the short one: its note appears under the buttons
    assert note.isVisibleTo(view) and "short by" in note.text()
    assert _buttons(view) == still
    view.transfers.selectRow(1)  # the covered one: nothing to say, nothing moves
    assert note.text() == "" and _buttons(view) == still
    view.resize(view.width() - 200, view.height())  # narrower: the note wraps to more lines
    narrow = _buttons(view)
    view.transfers.selectRow(0)
    assert _buttons(view) == narrow

    view.transfers.selectRow(0)
    with qtbot.waitSignal(view.loaded, timeout=5000):  # read again after the refusal
        view.approve_button.click()
    refused = "The Teller Hub refused it. " + str(hub_code_text("vault_short"))
    beside = f"Holds {format_uah(VAULT)}: short by {format_uah(SHORT.amount - VAULT)}."
    assert view.transfers.item(0, 3).text() == f"{beside} Approval refused."
    assert note.text().count(refused) == 1  # in full, under the button just pressed
    assert refused not in view.status.text()
    assert view.transfers.item(0, 3).toolTip()  # the whole of it on hover


def test_the_till_states_read_alike(qapp: Any) -> None:
    words = [till_state_text(s) for s in ("open", "cosign", "close_cosign", "closed", "new")]
    assert all(w[:1].isupper() for w in words), words


@pytest.mark.usefixtures("english")
def test_the_state_column_is_capitalised(main_window: Any, qtbot: Any) -> None:
    view = BranchCashView(main_window.ops, PositionStand(), parent=main_window)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    states = [view.tills.item(row, 2).text() for row in range(view.tills.rowCount())]
    assert states[0] == "Open" and all(s[:1].isupper() for s in states), states
