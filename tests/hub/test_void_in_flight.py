"""A void while the desk's confirm may still be in flight (cash audit P6): the desk's confirm
times out, DCM applies it a little later, and meanwhile the draft still reads CREATED. The
hub refuses a void (and a supervisor's reject) of a draft whose desk asked to confirm it
(``/cash/authorize`` with ``purpose: confirm``) until the grace has passed
(409 ``confirm_may_be_in_flight``); after it the draft is read on DCM as it is now. A draft
only checked at create is voided at once. The supervisor's drafts panel shows the hub's
refusal in words. Real sandbox and hub (SQLite and PostgreSQL); the late confirm is a
forwarder in front of DCM holding a confirm until the test releases it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import ADMIN, CashDesk, open_cash_desk, password_of, start_fe_hub
from held_confirm import HeldConfirm, held_confirms
from hub_proc import PASSWORD, HubProc, add_employee, branches
from till_helpers import _run, customer, status

from teller_app.core.cash import CashKind, CashService, ConfirmNotDone
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError, RetryPolicy
from teller_app.platform.hub_client import HubClient

GRACE_S = 6  # the hub's confirm grace here: longer than the desk's 1 s confirm timeout
IN_FLIGHT = "confirm_may_be_in_flight"


@dataclass
class World:
    hub: HubProc
    b0: str
    sup: str

    def new_teller(self) -> str:  # one live till per teller: each test has its own
        with self.hub.client() as http:
            return add_employee(http, self.hub, roles=["Teller"], branch_guid=self.b0)


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("void-in-flight-hub"), sandbox, hub_db,
                       TELLER_HUB_WATCH="0", TELLER_HUB_CONFIRM_GRACE_S=str(GRACE_S))
    b0 = branches(sandbox)[0]
    try:
        with hub.client() as http:
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        yield World(hub, b0, sup)
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


@pytest.fixture()
def held(sandbox: SandboxProcess) -> Iterator[tuple[str, HeldConfirm]]:
    with held_confirms(sandbox) as served:
        yield served


def _dcm(url: str, sandbox: SandboxProcess, timeout: float = 10.0) -> PlatformClient:
    return PlatformClient(url, sandbox.counterparty_guid, timeout=timeout,
                          retry=RetryPolicy(attempts=1),
                          auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))


async def _desk(w: World, sandbox: SandboxProcess, dcm: PlatformClient, code: str,
                desk: str) -> tuple[HubClient, HubClient, CashDesk]:
    teller_hub, sup_hub = HubClient(w.hub.base_url), HubClient(w.hub.base_url)
    await teller_hub.open_password_session(w.new_teller(), PASSWORD)
    await sup_hub.open_password_session(w.sup, PASSWORD)
    return teller_hub, sup_hub, await open_cash_desk(dcm, w.b0, teller_hub, sup_hub, code, desk)


async def _void_refusal(gate: HubCash, guid: str, reason: str) -> PlatformError | None:
    try:
        await gate.void(guid, reason)
    except PlatformError as exc:
        return exc
    return None


async def _until_voided(gate: HubCash, guid: str, timeout: float) -> None:
    """Void as soon as the hub lets it (the grace is a clock, not an event to wait on)."""
    end = time.monotonic() + timeout
    while (refused := await _void_refusal(gate, guid, "still a draft after the grace")):
        assert refused.reason == IN_FLIGHT, refused
        assert time.monotonic() < end, "the void was never allowed"
        await asyncio.sleep(0.2)


def test_a_late_desk_confirm_is_never_voided_under_it(
        world: World, sandbox: SandboxProcess, held: tuple[str, HeldConfirm]) -> None:
    """The audit's scenario: the desk's confirm times out, the teller voids at once — refused
    while the confirm may land; DCM applies it late, and the draft is counted, never voided
    (no second draft for the same cash)."""
    url, gate_dcm = held
    cust, _account = customer(sandbox, world.b0)

    async def run() -> None:
        slow = _dcm(url, sandbox, timeout=1.0)  # the desk's platform client, a short timeout
        teller_hub, sup_hub, desk = await _desk(world, sandbox, slow, "T-flight", "desk-flight")
        try:
            d1 = await desk.service.create(CashKind.DEPOSIT, cust, "300.00")
            with pytest.raises(ConfirmNotDone):  # in doubt: the answer was lost
                await desk.service.confirm(d1.payment_guid, amount=d1.amount, kind=d1.kind)
            assert gate_dcm.held.is_set() and status(sandbox, d1.payment_guid) == "CREATED"
            refused = await _void_refusal(desk.gate, d1.payment_guid, "not confirmed")
            assert refused is not None and refused.status_code == 409, refused
            assert refused.reason == IN_FLIGHT, refused
            rejected = None
            try:
                await HubCash(sup_hub).reject(d1.payment_guid, "the customer left")
            except PlatformError as exc:
                rejected = exc
            assert rejected is not None and rejected.reason == IN_FLIGHT, rejected
            assert await desk.gate.voided([d1.payment_guid]) == set()

            gate_dcm.release.set()  # DCM applies the confirm, late
            assert await asyncio.to_thread(gate_dcm.forwarded.wait, 30)
            assert status(sandbox, d1.payment_guid) == "CONFIRMED"
            late = await _void_refusal(desk.gate, d1.payment_guid, "too late")
            assert late is not None and late.status_code == 409, late  # confirmed: no void
            till = await desk.till.current()
            assert till is not None and till.expected == Decimal("400.00")  # 100 + 300
            assert await desk.gate.voided([d1.payment_guid]) == set()
        finally:
            for c in (teller_hub, sup_hub, slow):
                await c.aclose()

    _run(run())


def test_after_the_grace_a_draft_still_created_is_voided(world: World,
                                                         sandbox: SandboxProcess) -> None:
    """No confirm reached DCM: once the grace has passed the draft reads CREATED and the
    void is taken. A draft only checked at create (no confirm asked) is voided at once."""
    cust, _account = customer(sandbox, world.b0)

    async def run() -> None:
        dcm = _dcm(sandbox.base_url, sandbox)
        teller_hub, sup_hub, desk = await _desk(world, sandbox, dcm, "T-grace", "desk-grace")
        try:
            checked = await desk.service.create(CashKind.DEPOSIT, cust, "50.00")
            await desk.gate.void(checked.payment_guid, "wrong amount")  # no confirm asked
            assert await desk.gate.voided([checked.payment_guid]) == {checked.payment_guid}

            d = await desk.service.create(CashKind.DEPOSIT, cust, "70.00")
            need = await desk.gate.before_confirm(d.payment_guid)  # the desk's ask to confirm
            assert not need.needed
            asked = time.monotonic()
            refused = await _void_refusal(desk.gate, d.payment_guid, "changed my mind")
            assert refused is not None and refused.reason == IN_FLIGHT, refused
            await _until_voided(desk.gate, d.payment_guid, GRACE_S + 20)
            assert time.monotonic() - asked >= GRACE_S - 1.5  # not before the grace
            assert await desk.gate.voided([d.payment_guid]) == {d.payment_guid}
            assert status(sandbox, d.payment_guid) == "CREATED"
            verdict = await desk.gate.authorize(d.payment_guid, confirming=True)
            assert verdict["reasons"] == ["voided"], verdict  # never confirmed
        finally:
            for c in (teller_hub, sup_hub, dcm):
                await c.aclose()

    _run(run())


@pytest.fixture()
def ops(qloop: Any) -> Any:
    from teller_app.ui.async_op import OpRunner

    return OpRunner()


def test_the_drafts_panel_shows_the_hubs_refusal(world: World, sandbox: SandboxProcess,
                                                 qtbot: Any, arun: Any, ops: Any) -> None:
    """A supervisor rejecting from the drafts panel a draft whose confirm may be in flight:
    the inbox says why in words, and the draft stays listed."""
    from teller_app.core.approvals import Actor, ApprovalService
    from teller_app.core.session import HubLink
    from teller_app.ui.approvals_inbox import ApprovalsInbox
    from teller_app.ui.till_text import hub_code_text

    cust, _account = customer(sandbox, world.b0)
    dcm = _dcm(sandbox.base_url, sandbox)
    teller_hub, sup_hub, desk = arun(_desk(world, sandbox, dcm, "T-panel", "desk-panel"))
    try:
        d = arun(desk.service.create(CashKind.DEPOSIT, cust, "80.00"))
        arun(desk.gate.before_confirm(d.payment_guid))
        sup = ApprovalService(HubLink(sup_hub, dcm), Actor(world.sup, world.b0, True), None,
                              "sup")
        inbox = ApprovalsInbox(ops, lambda: sup, cash=lambda: CashService(
            dcm, world.b0, "", Decimal(10000), gate=HubCash(sup_hub)))
        qtbot.addWidget(inbox)
        drafts = inbox.drafts
        drafts.refresh()
        qtbot.waitUntil(lambda: any(x.payment_guid == d.payment_guid for x in drafts.rows),
                        timeout=15000)
        drafts.table.selectRow(next(i for i, x in enumerate(drafts.rows)
                                    if x.payment_guid == d.payment_guid))
        with qtbot.waitSignal(drafts.failed, timeout=15000) as failed:
            drafts.reject_selected("the customer left")
        assert getattr(failed.args[0], "reason", None) == IN_FLIGHT, failed.args
        words = hub_code_text(IN_FLIGHT)
        assert words and inbox.status.text() == words, inbox.status.text()
        assert any(x.payment_guid == d.payment_guid for x in drafts.rows)
        assert status(sandbox, d.payment_guid) == "CREATED"
    finally:
        for c in (teller_hub, sup_hub, dcm):
            arun(c.aclose())
