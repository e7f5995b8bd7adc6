"""Over-threshold cash as a four-eyes command (issue 15): the teller's desk files the draft,
a supervisor approves it on another session, the teller's desk learns it live over the
hub's event stream and settles (receipt, till, balance to the kopiyka); the hub refuses to
authorize the draft before that, refuses a filing whose amount is not DCM's, and a rejection
voids the draft. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fe_helpers import ADMIN, TillWorld, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer, status
from till_open import open_cosigned

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.cash import CashKind, CashService, SupervisorRequired, find_processing_account
from teller_app.core.cash_approval import request_approval, settle_approved
from teller_app.core.cash_checks import CashRefused
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import HubEvent

World = TillWorld


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with till_world(tmp_path_factory.mktemp("till-cmd-hub"), sandbox, hub_db) as w:
        yield w


async def _balance(dcm: PlatformClient, cust: str) -> Decimal:
    accounts = await dcm.get_customer_accounts(cust)
    items = list(getattr(accounts, "accounts", accounts))
    return Decimal(items[0].assets[0].balance)


async def _next(queue: asyncio.Queue[HubEvent], request_id: str, kind: str) -> HubEvent:
    async def wait() -> HubEvent:
        while True:
            event = await queue.get()
            if event.request_id == request_id and event.kind == kind:
                return event
    return await asyncio.wait_for(wait(), 20)


async def _scenario(w: World, sandbox: SandboxProcess, cust: str) -> dict[str, object]:
    teller_hub, sup_hub = HubClient(w.hub.base_url), HubClient(w.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    feed_task: asyncio.Task[None] | None = None
    try:
        await teller_hub.open_password_session(w.teller, PASSWORD)
        await sup_hub.open_password_session(w.sup, PASSWORD)
        till = TillService(teller_hub, "desk-1")
        await open_cosigned(till, sup_hub, "T-cmd", {"note_500": 2})
        gate = HubCash(teller_hub, till)
        service = CashService(dcm, w.b0, await find_processing_account(dcm, w.b0),
                              Decimal(10000), policy=gate, gate=gate)
        teller = ApprovalService(HubLink(teller_hub, dcm), Actor(w.teller, w.b0), dcm, "desk-1")
        sup = ApprovalService(HubLink(sup_hub, dcm), Actor(w.sup, w.b0, True), None, "sup")
        events: asyncio.Queue[HubEvent] = asyncio.Queue()
        ready = asyncio.Event()
        feed = EventFeed(HubLink(teller_hub, dcm))
        feed_task = asyncio.create_task(feed.run(events.put_nowait,
                                                 lambda up: ready.set() if up else None))
        await asyncio.wait_for(ready.wait(), 20)

        before = await _balance(dcm, cust)
        big = await service.create(CashKind.DEPOSIT, cust, "15000.10")
        assert big.needs_supervisor
        refused = await gate.authorize(big.payment_guid)
        assert refused["decision"] == "needs_approval" and "over_threshold" in refused["reasons"]
        with pytest.raises(SupervisorRequired):
            await service.confirm(big.payment_guid)
        # the hub checks the filing against DCM: a smaller figure is refused
        with pytest.raises(PlatformError):
            await teller.file_request(cust, {"payment_guid": big.payment_guid,
                                             "amount": "9000.00"}, "split", kind="cash_confirm")
        request = await request_approval(teller, big, w.b0, "cash in over the limit")
        assert request.state == "pending"
        assert (await gate.authorize(big.payment_guid))["decision"] == "needs_approval"
        who = await sup_hub.call("GET", "/api/v1/cash/authorizations",
                                 params={"payment_guid": [big.payment_guid]})
        assert [(a["teller"], a["customer_guid"], a["amount"], a["kind"])
                for a in who["authorizations"]] == [(w.teller, cust, "15000.10", "deposit")]
        pending = await sup.pending()
        shown = next(r for r in pending if r.id == request.id)
        approved = await sup.approve(shown, "ok, passport seen")
        assert approved.state == "applied"
        await _next(events, request.id, "request.applied")  # live, on the teller's stream
        receipt = await settle_approved(service, big.payment_guid)
        assert receipt.status.upper() == "CONFIRMED" and receipt.kind is CashKind.DEPOSIT
        assert await _balance(dcm, cust) == before + Decimal("15000.10")
        now = await till.current()
        assert now is not None and now.expected == Decimal("16000.10")
        # a retry of the filing after a lost answer: the same request, not a DCM check again
        again = await request_approval(teller, big, w.b0, "cash in over the limit",
                                       request_id=request.id)
        assert (again.id, again.state) == (request.id, "applied")

        # reject: the teller's desk hears it, the draft is voided and never confirmed
        other = await service.create(CashKind.DEPOSIT, cust, "12000.00")
        filed = await request_approval(teller, other, w.b0, "second one")
        shown = next(r for r in await sup.pending() if r.id == filed.id)
        await sup.reject(shown, "the customer left")
        await _next(events, filed.id, "request.rejected")
        with pytest.raises(CashRefused) as voided:
            await service.confirm(other.payment_guid)
        assert voided.value.refusal.period == "voided"
        # Mode A's gap: confirmed on the platform directly, past the hub — an alert
        sneaky = await service.create(CashKind.DEPOSIT, cust, "11000.00")
        assert (await gate.authorize(sneaky.payment_guid))["decision"] == "needs_approval"
        await dcm.confirm_payment(sneaky.payment_guid, branch_guid=w.b0)
        await till.current()  # the hub counts what DCM shows CONFIRMED
        open_alerts = (await sup_hub.call("GET", "/api/v1/alerts",
                                          params={"state": "open"}))["alerts"]
        flagged = [x.get("payment_guid") for x in open_alerts]
        assert sneaky.payment_guid in flagged and big.payment_guid not in flagged
        alert = next(x for x in open_alerts if x.get("payment_guid") == sneaky.payment_guid)
        assert (alert["teller"], alert["amount"]) == (w.teller, "11000.00")
        trail = await sup_hub.call("GET", "/api/v1/audit", params={"limit": 1000})
        assert any(e["action"] == "alert" and e["entity"] == f"payment:{sneaky.payment_guid}"
                   for e in trail["entries"])
        actions = {rid: [e["action"] for e in trail["entries"]
                         if e["entity"] == f"request:{rid}"] for rid in (request.id, filed.id)}
        return {"actions": actions, "ids": (request.id, filed.id),
                "guids": (big.payment_guid, other.payment_guid)}
    finally:
        if feed_task is not None:
            feed_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feed_task
        for c in (teller_hub, sup_hub, dcm):
            await c.aclose()


def test_over_threshold_deposit_approved_live(world: World, sandbox: SandboxProcess) -> None:
    cust, _account = customer(sandbox, world.b0)
    out = asyncio.run(_scenario(world, sandbox, cust))
    approved_id, rejected_id = out["ids"]  # type: ignore[misc]
    big, other = out["guids"]  # type: ignore[misc]
    actions = out["actions"]
    assert actions[approved_id] == ["request", "decision", "execution"]  # type: ignore[index]
    assert actions[rejected_id] == ["request", "decision"]  # type: ignore[index]
    assert status(sandbox, big) == "CONFIRMED" and status(sandbox, other) == "CREATED"
