"""Cash drafts DCM shows FAILED (§5.2 [A], §7 #9: the sandbox's ``confirm-failed-status``
dialect), on the till: FAILED is final, so the till no longer holds back a FAILED withdrawal
(what it can pay out is released) and closes with one on it, balanced, voiding nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

import pytest
from failed_drafts import drain, rich, sandbox_fixture
from fe_helpers import ADMIN, TillWorld, password_of, till_world
from hub_proc import PASSWORD, add_employee
from till_helpers import customer, draft, status
from till_open import open_cosigned

from teller_app.core.approvals import Actor, ApprovalService, ExecutionFailed
from teller_app.core.cash import CashKind, CashService, find_processing_account
from teller_app.core.cash_approval import request_approval
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient, ValidationError
from teller_app.platform.hub_client import HubClient

sandbox = sandbox_fixture()  # this module's platform fails a refused confirm for good


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("till-failed-hub"), sandbox, hub_db) as w:
        yield w


def _admin(sandbox: SandboxProcess) -> PlatformClient:
    return PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                          auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))


@dataclass
class _Desk:
    """A teller's desk with its till open: the hub sessions, the admin's DCM session, the
    till and the hub's cash gate on it."""
    teller_hub: HubClient
    sup_hub: HubClient
    dcm: PlatformClient
    till: TillService
    gate: HubCash


@asynccontextmanager
async def _desk(w: TillWorld, sandbox: SandboxProcess, teller: str, desk: str, code: str,
                counts: dict[str, int]) -> AsyncIterator[_Desk]:
    """``teller``'s till ``code`` opened at ``desk`` (co-signed by the supervisor when it must
    be); every session closed after."""
    teller_hub, sup_hub, dcm = HubClient(w.hub.base_url), HubClient(w.hub.base_url), \
        _admin(sandbox)
    try:
        await teller_hub.open_password_session(teller, PASSWORD)
        await sup_hub.open_password_session(w.sup, PASSWORD)
        till = TillService(teller_hub, desk)
        await open_cosigned(till, sup_hub, code, counts)
        yield _Desk(teller_hub, sup_hub, dcm, till, HubCash(teller_hub, till))
    finally:
        for c in (teller_hub, sup_hub, dcm):
            await c.aclose()


async def _fail(dcm: PlatformClient, branch: str, guid: str, account: str, to: str,
                amount: str) -> None:
    """The customer spends ``amount`` first, so the desk's confirm of withdrawal ``guid`` is
    refused: DCM fails the draft (this module's dialect)."""
    await drain(dcm, account, to, amount)
    with pytest.raises(ValidationError):
        await dcm.confirm_payment(guid, branch_guid=branch)


def test_a_failed_withdrawal_no_longer_holds_back_what_the_till_can_pay(
        world: TillWorld, sandbox: SandboxProcess) -> None:
    """An over-threshold withdrawal holds 15 000.10 of a 20 000.00 till; the customer spends
    the money before the supervisor approves, so the hub's confirm is refused and DCM fails
    the draft. From then on the till can pay the whole 20 000.00 again."""
    w = world
    cust, account = rich(sandbox, w.b0, "16000.00")
    _other, other_account = rich(sandbox, w.b0, "7000.00")
    _payee, payee = customer(sandbox, w.b0)
    later = draft(sandbox, w.b0, other_account, "6000.00", "withdrawal")

    async def scenario() -> dict[str, object]:
        async with _desk(w, sandbox, w.teller, "desk-f1", "T-failed", {"note_1000": 20}) as d:
            dcm, gate = d.dcm, d.gate
            service = CashService(dcm, w.b0, await find_processing_account(dcm, w.b0),
                                  Decimal(10000), policy=gate, gate=gate)
            big = await service.create(CashKind.WITHDRAWAL, cust, "15000.10")
            assert big.needs_supervisor
            held = await gate.authorize(later)
            teller = ApprovalService(HubLink(d.teller_hub, dcm), Actor(w.teller, w.b0), dcm,
                                     "desk-f1")
            sup = ApprovalService(HubLink(d.sup_hub, dcm), Actor(w.sup, w.b0, True), None,
                                  "sup")
            filed = await request_approval(teller, big, w.b0, "cash out over the limit")
            await drain(dcm, account, payee, "2000.00")
            shown = next(r for r in await sup.pending() if r.id == filed.id)
            with pytest.raises(ExecutionFailed) as refused:  # approved; DCM refused it
                await sup.approve(shown, "passport seen")
            decided = refused.value.request
            released = await gate.authorize(later)
            now = await d.till.current()
            return {"held": held, "decided": decided, "released": released,
                    "expected": None if now is None else now.expected,
                    "big": big.payment_guid}

    out = asyncio.run(scenario())
    held, released = out["held"], out["released"]
    assert isinstance(held, dict) and isinstance(released, dict)
    assert (held["decision"], held["reasons"]) == ("refuse", ["till_short"]), held
    assert held["message"] == "the till can pay out 4999.90"
    decided = out["decided"]
    assert decided.state == "failed" and "insufficient balance" in (decided.result or "")  # type: ignore[attr-defined]
    assert status(sandbox, str(out["big"])) == "FAILED"
    assert released["decision"] == "allow", released  # 20 000.00 to pay out again
    assert out["expected"] == Decimal("20000.00")  # nothing moved


def test_the_till_closes_with_a_failed_draft_on_it(world: TillWorld,
                                                   sandbox: SandboxProcess) -> None:
    """The desk asked to confirm a withdrawal moments ago and DCM failed it: nothing may
    still confirm it, so the close neither waits for it nor voids it, and balances."""
    w = world
    _cust, account = rich(sandbox, w.b0, "400.00")
    _payee, payee = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "300.00", "withdrawal")
    with w.hub.client() as http:
        email = add_employee(http, w.hub, roles=["Teller"], branch_guid=w.b0)

    async def scenario() -> dict[str, object]:
        async with _desk(w, sandbox, email, "desk-f2", "T-failed-2", {"note_100": 5}) as d:
            asked = await d.gate.before_confirm(guid)  # the desk asks, then confirms
            await _fail(d.dcm, w.b0, guid, account, payee, "200.00")
            closed = await d.teller_hub.call("POST", "/api/v1/tills/current/close",
                                             json_body={"counts": {"note_100": 5}},
                                             desk_id="desk-f2")
            voids = await d.teller_hub.call("GET", "/api/v1/cash/voids",
                                            params={"payment_guid": [guid]})
            return {"asked": asked.needed, "closed": closed, "voids": voids["voids"]}

    out = asyncio.run(scenario())
    assert out["asked"] is False
    assert status(sandbox, guid) == "FAILED"
    closed = out["closed"]
    assert isinstance(closed, dict)
    assert (closed["state"], closed["expected"], closed["over_short"]) == (
        "closed", "500.00", "0.00")
    assert closed["voided_at_close"] == [] and out["voids"] == []


def test_a_desks_own_failed_confirm_is_released_when_the_till_is_read(
        world: TillWorld, sandbox: SandboxProcess) -> None:
    """The desk itself confirmed (no supervisor, so the hub never ran the confirm) and DCM
    failed it: the next read of the till (``GET /tills/current`` reconciles it with DCM)
    records it FAILED, so what the till can pay out is whole again and the teller's day
    without approval (here 500.00) no longer counts it."""
    w = world
    _cust, account = rich(sandbox, w.b0, "450.00")
    _other, other_account = rich(sandbox, w.b0, "300.00")
    _payee, payee = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "400.00", "withdrawal")
    later = draft(sandbox, w.b0, other_account, "300.00", "withdrawal")
    with w.hub.client() as http:
        email = add_employee(http, w.hub, roles=["Teller"], branch_guid=w.b0)

    async def scenario() -> dict[str, object]:
        async with _desk(w, sandbox, email, "desk-f3", "T-failed-3", {"note_100": 5}) as d:
            await d.gate.before_confirm(guid)  # 400.00 set aside for this confirm
            await _fail(d.dcm, w.b0, guid, account, payee, "200.00")
            await d.till.current()  # the desk's next look at its till
            return {"released": await d.gate.authorize(later)}

    it = {"Authorization": f"Bearer {w.hub.admin_token}"}
    with w.hub.client() as http:
        lowered = http.put("/api/v1/cash/limits", headers=it,  # the rest: the defaults
                           json={"teller_unapproved_daily": "500.00"})
        assert lowered.status_code == 200, lowered.text
        try:
            out = asyncio.run(scenario())
        finally:
            http.put("/api/v1/cash/limits", headers=it, json={})  # back to the defaults
    assert status(sandbox, guid) == "FAILED"
    released = out["released"]
    assert isinstance(released, dict) and released["decision"] == "allow", released
