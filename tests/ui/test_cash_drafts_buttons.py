"""The cash drafts panel's buttons act on the selected draft, so they are enabled only while
a draft row is selected: an empty list (the supervisor's approvals dock with no drafts, from
the embedded sandbox + Teller Hub) never offers "Reject the draft…"."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.cash import CashReceipt
from teller_app.core.cash_drafts import InboxDraft
from teller_app.core.cash_types import CashKind
from teller_app.platform import PlatformError
from teller_app.ui.cash_drafts_panel import CashDraftsPanel

from .conftest import make_window
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session

stack = embedded_stack("ui-cash-drafts-buttons")


async def _no_names(_keys: list[str]) -> dict[str, str]:
    return {}


def _draft() -> InboxDraft:
    return InboxDraft(str(uuid.uuid4()), CashKind.DEPOSIT, Decimal("125000.00"), "UAH", None,
                      str(uuid.uuid4()), "Shevchenko Olena", "teller@demo.bank", "Oksana",
                      ("over_limit",))


def test_buttons_follow_the_selection(qtbot: Any, ops: Any) -> None:
    panel = CashDraftsPanel(ops, lambda: None, _no_names, _no_names)
    qtbot.addWidget(panel)
    buttons = (panel.confirm_button, panel.reject_button)
    assert not any(b.isEnabled() for b in buttons)  # nothing listed yet
    panel.show_drafts([])
    assert not any(b.isEnabled() for b in buttons)
    first, second = _draft(), _draft()
    panel.show_drafts([first, second])
    assert not any(b.isEnabled() for b in buttons)  # listed, none selected
    panel.table.selectRow(1)
    assert all(b.isEnabled() for b in buttons)
    panel.show_drafts([first, second])  # read again: the same draft stays selected
    assert panel.selected() == second and all(b.isEnabled() for b in buttons)
    panel.table.clearSelection()
    assert not any(b.isEnabled() for b in buttons)
    panel.table.selectRow(0)
    panel.show_drafts([second])  # the selected draft left the list
    assert panel.selected() is None and not any(b.isEnabled() for b in buttons)


class SlowCash:
    """A cash service whose confirm answers when the test lets it."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.confirms: list[str] = []

    async def confirm(self, guid: str) -> CashReceipt:
        self.confirms.append(guid)
        await self.gate.wait()
        raise PlatformError("the test's answer")


def test_buttons_stay_off_while_a_confirm_runs(qtbot: Any, ops: Any) -> None:
    """A list read again or another row picked during a confirm never turns the buttons
    back on: a second click would start a second write."""
    cash = SlowCash()
    panel = CashDraftsPanel(ops, lambda: cash, _no_names, _no_names)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    first, second = _draft(), _draft()
    panel.show_drafts([first, second])
    panel.table.selectRow(0)
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: cash.confirms == [first.payment_guid], timeout=5000)
    panel.show_drafts([first, second])  # the inbox reads the list again
    panel.table.selectRow(1)
    assert not panel.confirm_button.isEnabled() and not panel.reject_button.isEnabled()
    with qtbot.waitSignal(panel.failed, timeout=5000):
        cash.gate.set()
    assert panel.confirm_button.isEnabled()  # answered: the selected draft can be acted on
    assert cash.confirms == [first.payment_guid]


@pytest.mark.slow
def test_an_empty_drafts_list_offers_no_reject(qtbot: Any, ops: Any, arun: Any,
                                                stack: Any) -> None:
    supervisor = hub_session(arun, stack, SUPERVISOR)
    window = make_window(qtbot, ops, supervisor, stack.sandbox)
    try:
        window.supervision.open_inbox()
        inbox = window.supervision.inbox
        assert inbox is not None
        drafts = inbox.drafts
        with qtbot.waitSignal(drafts.shown, timeout=15000) as shown:
            drafts.refresh()
        assert shown.args[0] == [] and drafts.table.rowCount() == 0
        # none listed: the panel is one line saying so, no idle Reject (``CashDraftsPanel``)
        assert not drafts.reject_button.isVisibleTo(inbox) and not drafts.table.isVisibleTo(inbox)
        assert not drafts.reject_button.isEnabled()
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(supervisor.close())
