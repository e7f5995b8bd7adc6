"""The cash drafts panel after a lock-screen switch and on an expired session: a read started
for the employee who left is cancelled (or its answer dropped), so the new one never sees
their drafts; a live event's read never opens a password prompt, and a declined prompt is
not followed by a second one for a read queued meanwhile."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from teller_app.core.cash_drafts import InboxDraft
from teller_app.core.cash_types import CashKind
from teller_app.platform.errors import AuthError
from teller_app.platform.hub_models import HubEvent
from teller_app.ui import cash_drafts_panel
from teller_app.ui.cash_drafts_panel import CashDraftsPanel


def _draft(name: str) -> InboxDraft:
    return InboxDraft(payment_guid=f"pay-{name}", kind=CashKind.WITHDRAWAL,
                      amount=Decimal("1500.00"), asset_code="UAH",
                      created_at=datetime(2026, 1, 5, tzinfo=UTC),
                      customer_guid=f"cust-{name}", customer_name=f"Customer {name}",
                      teller_email="teller@demo.bank", teller_name="Teller", reasons=())


CLIENTS = {name: SimpleNamespace(name=name) for name in "AB"}  # each employee's session


def _service(name: str) -> SimpleNamespace:
    # the session's client and (no) hub gate: ``cash()`` makes a new service each call
    return SimpleNamespace(client=CLIENTS[name], gate=None)


class Reads:
    """``inbox_drafts`` per employee: A's reads wait until released, B's answer at once;
    ``fail`` makes every read end in an AuthError."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.cancelled: list[str] = []
        self.release = asyncio.Event()
        self.fail = False

    async def __call__(self, service: Any, *_args: Any) -> list[InboxDraft]:
        name = service.client.name
        self.started.append(name)
        if name == "A":
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.append(name)
                raise
        if self.fail:
            raise AuthError("session expired")
        return [_draft(name)]


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    fake = Reads()
    monkeypatch.setattr(cash_drafts_panel, "inbox_drafts", fake)
    return fake


async def _nobody(_keys: list[str]) -> dict[str, str]:
    return {}


async def _turns() -> None:
    for _ in range(5):
        await asyncio.sleep(0)  # turns of the loop, not a wait for time


def _panel(qtbot: Any, ops: Any, who: list[str]) -> tuple[CashDraftsPanel, list[list[str]]]:
    panel = CashDraftsPanel(ops, lambda: _service(who[0]) if who[0] else None,  # type: ignore[arg-type, return-value]
                            _nobody, _nobody)
    qtbot.addWidget(panel)
    shown: list[list[str]] = []
    panel.drafts_read.connect(lambda drafts: shown.append([d.customer_name for d in drafts]))
    return panel, shown


def test_a_switch_cancels_the_leaving_employees_read(qtbot, ops, arun, reads) -> None:  # type: ignore[no-untyped-def]
    who = ["A"]
    panel, shown = _panel(qtbot, ops, who)
    panel.refresh()
    qtbot.waitUntil(lambda: reads.started == ["A"], timeout=5000)
    who[0] = "B"  # another supervisor signs in on the lock screen
    panel.refresh()
    qtbot.waitUntil(lambda: shown == [["Customer B"]], timeout=5000)
    reads.release.set()  # A's read, were it still running, answers now
    arun(_turns())
    assert shown == [["Customer B"]]  # never A's drafts
    assert [panel.table.item(0, panel.CUSTOMER).text()] == ["\u2068Customer B\u2069"]
    assert not ops.is_busy("cash-drafts")


def test_a_read_answering_after_a_switch_is_dropped(qtbot, ops, arun, reads) -> None:  # type: ignore[no-untyped-def]
    who = ["A"]
    panel, shown = _panel(qtbot, ops, who)
    panel.refresh()
    qtbot.waitUntil(lambda: reads.started == ["A"], timeout=5000)
    who[0] = "B"  # switched; the new employee's read is not asked for yet
    reads.release.set()
    qtbot.waitUntil(lambda: not ops.is_busy("cash-drafts"), timeout=5000)
    arun(_turns())
    assert shown == []
    assert panel.table.rowCount() == 0


class Prompts:
    """``ops.reauthenticate``: notes each password prompt; ``decline()`` gives up the last."""

    def __init__(self) -> None:
        self.opened = 0
        self.give_up: Any = None

    def __call__(self, _exc: BaseException, _retry: Any, give_up: Any) -> bool:
        self.opened += 1
        self.give_up = give_up
        return True

    def decline(self) -> None:
        self.give_up()


def test_a_live_events_read_opens_no_password_prompt(qtbot, ops, arun, reads) -> None:  # type: ignore[no-untyped-def]
    prompts = Prompts()
    ops.reauthenticate = prompts
    reads.fail = True
    panel, _shown = _panel(qtbot, ops, ["B"])
    failures: list[object] = []
    panel.failed.connect(failures.append)
    panel.on_event(HubEvent(id=1, kind="cash.voided"))
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert prompts.opened == 0
    assert isinstance(failures[0], AuthError)


def test_a_declined_prompt_is_not_followed_by_another(qtbot, ops, arun, reads) -> None:  # type: ignore[no-untyped-def]
    prompts = Prompts()
    ops.reauthenticate = prompts
    reads.fail = True
    panel, _shown = _panel(qtbot, ops, ["A"])
    failures: list[object] = []
    panel.failed.connect(failures.append)
    panel.refresh()  # the supervisor's own read: it may ask for the password
    qtbot.waitUntil(lambda: reads.started == ["A"], timeout=5000)
    panel.on_event(HubEvent(id=1, kind="cash.voided"))  # queued meanwhile
    reads.release.set()
    qtbot.waitUntil(lambda: prompts.opened == 1, timeout=5000)
    prompts.decline()
    assert len(failures) == 1
    arun(_turns())
    qtbot.waitUntil(lambda: not ops.is_busy("cash-drafts"), timeout=5000)
    arun(_turns())
    assert prompts.opened == 1  # no second prompt right after the first was declined
    assert reads.started == ["A"]  # the queued read was dropped with the expired session


def test_an_explicit_refresh_reads_from_now(qtbot, ops, arun, reads) -> None:  # type: ignore[no-untyped-def]
    """Refresh after a decision made here (a reject voids the draft) must not show a read
    sent before it: the running read is cancelled and a new one starts; events queue."""
    panel, shown = _panel(qtbot, ops, ["A"])
    panel.refresh()
    qtbot.waitUntil(lambda: reads.started == ["A"], timeout=5000)
    panel.refresh()
    qtbot.waitUntil(lambda: reads.started == ["A", "A"], timeout=5000)
    reads.release.set()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    qtbot.waitUntil(lambda: not ops.is_busy("cash-drafts"), timeout=5000)
    arun(_turns())
    assert len(shown) == 1  # only the read started from now answered
