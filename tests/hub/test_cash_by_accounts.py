"""What counts as cash is told by the accounts a payment moves money between, not by the
category the desk picked (audit: a "02" customer → customer payment was authorized and
counted in a till; an uncategorised processing → customer payment was confirmed through
the proxy with no till, limit or approval). And cash in another asset than the till's
currency is never taken as hryvnia. Real sandbox and hub (the hub's watchers off: the cash
watcher's passes run here, on the hub's database), SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fe_db import scalar
from staffed_hub import Staffed, staffed_hub
from till_helpers import _client, _run, confirm, customer, draft, status
from watcher_helpers import watch_pass

from teller_app.core.cash import find_processing_account
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.models import NewPayment

DESK = "desk-accounts"


@dataclass
class World(Staffed):
    cp: str
    holder: str  # the cash watcher lease's holder these tests run passes as

    def post(self, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**headers, "X-Desk-ID": DESK}, json=body)

    def authorize(self, guid: str) -> dict[str, Any]:
        r = self.post("/api/v1/cash/authorize", self.teller, payment_guid=guid)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def proxy(self, tail: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"/dcm/api/v1/counterparty/{self.cp}/branch/{self.b0}/payments"
                              + tail, headers=self.sup, json=body)


def _watch_pass(w: World, sandbox: SandboxProcess) -> int:
    return watch_pass(w.hub, sandbox, w.holder)[1]


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("cash-accounts-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), cp=sandbox.counterparty_guid, holder=uuid.uuid4().hex)
        w.open_till("T-accounts", {"note_1000": 5}, DESK)
        _watch_pass(w, sandbox)  # the first pass starts the watcher's window now
        yield w


def _payment(sandbox: SandboxProcess, branch: str | None, sender: str, receiver: str, amount: str,
             code: str | None, asset: dict[str, Any] | None = None) -> str:
    """A draft made on DCM with the admin's session (a desk's own Mode-A session)."""
    async def run() -> str:
        a = asset or sandbox.manifest["asset"]
        async with _client(sandbox) as c:
            cats = {x.name: x.guid for x in await c.list_categories()}
            return await c.create_payment(NewPayment(
                amount=Decimal(amount), asset_code=a["code"], asset_issuer=a["issuer"],
                category_guid=cats[code] if code else "", purpose="accounts test",
                sender_id=sender, receiver_id=receiver), branch_guid=branch)
    return _run(run())


def _processing(sandbox: SandboxProcess, branch: str) -> str:
    async def run() -> str:
        async with _client(sandbox) as c:
            return await find_processing_account(c, branch)
    return _run(run())


def _alert(w: World, guid: str) -> dict[str, Any] | None:
    listed = w.http.get("/api/v1/alerts", headers=w.sup).json()["alerts"]
    return next((a for a in listed if a.get("payment_guid") == guid), None)


def _alert_rows(w: World, guid: str) -> int:
    return int(scalar(w.hub, "SELECT COUNT(*) FROM alerts WHERE detail LIKE :p",
                      p=f'%"payment_guid": "{guid}"%'))


def test_a_withdrawal_between_two_customers_is_no_till_cash(world: World,
                                                            sandbox: SandboxProcess) -> None:
    """P2: "02" moving 2 500.00 from customer A to customer B (another branch): refused at
    authorize and at the proxy, never counted in a till, alerted once confirmed on DCM."""
    w = world
    _, victim = customer(sandbox, w.b0)
    _, accomplice = customer(sandbox, w.b1)
    funding = draft(sandbox, w.b0, victim, "3000.00")
    confirm(sandbox, w.b0, funding)
    guid = _payment(sandbox, w.b0, victim, accomplice, "2500.00", "02")
    said = w.authorize(guid)
    assert said["decision"] == "refuse" and said["reasons"] == ["not_cash"], said
    r = w.proxy("/confirm", {"payment_guid": guid})
    assert r.status_code == 403 and "not_through_till" in r.json()["error"], r.text
    assert status(sandbox, guid) == "CREATED"
    confirm(sandbox, w.b0, guid)  # past the hub, on the platform
    r = w.post("/api/v1/tills/current/operations", w.teller, payment_guid=guid)
    assert r.status_code == 409, r.text
    assert w.http.get("/api/v1/tills/current", headers=w.teller).json()["expected"] == \
        "5000.00"
    assert _watch_pass(w, sandbox) >= 1
    alert = _alert(w, guid)
    assert alert is not None and alert["reasons"][0] == "not_through_till", alert
    assert alert["kind"] == "withdrawal" and alert["amount"] == "2500.00"
    assert _watch_pass(w, sandbox) == 0 and _alert_rows(w, guid) == 1  # once


def test_a_deposit_from_another_branch_processing_account_is_refused(
        world: World, sandbox: SandboxProcess) -> None:
    """"04" from another branch's processing account (made at head office): not this
    branch's till's cash."""
    w = world
    _, account = customer(sandbox, w.b0)
    guid = _payment(sandbox, None, _processing(sandbox, w.b1), account, "100.00", "04")
    said = w.authorize(guid)
    assert said["decision"] == "refuse" and said["reasons"] == ["not_cash"], said


def test_an_uncategorised_payment_from_processing_is_cash(world: World,
                                                          sandbox: SandboxProcess) -> None:
    """P7: a supervisor creates 50 000.00 processing → customer with no category through
    /dcm and confirms it there: refused (never authorized); the hub's decision sees it as
    a deposit; confirmed on DCM past the hub, it is alerted."""
    w = world
    _, account = customer(sandbox, w.b0)
    asset = sandbox.manifest["asset"]
    r = w.proxy("", {"amount": "50000.00", "asset_code": asset["code"],
                     "asset_issuer": asset["issuer"], "purpose": "no category",
                     "sender_id": _processing(sandbox, w.b0), "receiver_id": account})
    assert r.status_code == 200, r.text
    guid = r.json()["guid"]
    r = w.proxy("/confirm", {"payment_guid": guid})
    assert r.status_code == 403 and "not_authorized" in r.json()["error"], r.text
    assert status(sandbox, guid) == "CREATED"
    said = w.authorize(guid)
    assert said["decision"] == "needs_approval" and said["kind"] == "deposit", said
    assert "over_threshold" in said["reasons"]
    r = w.proxy("/confirm", {"payment_guid": guid})
    assert r.status_code == 403 and "over_threshold" in r.json()["error"], r.text
    small = _payment(sandbox, w.b0, _processing(sandbox, w.b0), account, "10.00", None)
    confirm(sandbox, w.b0, small)  # past the hub, on the platform
    assert _watch_pass(w, sandbox) >= 1
    alert = _alert(w, small)
    assert alert is not None and alert["reasons"] == ["not_authorized"], alert
    assert alert["kind"] == "deposit" and alert["amount"] == "10.00"


def test_cash_in_another_currency_is_never_the_tills(world: World,
                                                     sandbox: SandboxProcess) -> None:
    """With the till's currency set to EUR (DCM holds no EUR to pay out), hryvnia cash is
    another currency: its confirmation is refused at the proxy even once authorized, and
    one confirmed on DCM is alerted as such."""
    w = world
    got = w.http.get("/api/v1/policy", headers=w.admin).json()["policy"]
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}  # another currency: break glass
    r = w.http.put("/api/v1/policy", headers=it, json={**got, "cash_currency": "EUR"})
    assert r.status_code == 200, r.text
    try:
        _, account = customer(sandbox, w.b0)
        guid = draft(sandbox, w.b0, account, "100.00")
        w.authorize(guid)
        r = w.proxy("/confirm", {"payment_guid": guid})
        assert r.status_code == 403 and "other_currency" in r.json()["error"], r.text
        assert status(sandbox, guid) == "CREATED"
        hryvnia = draft(sandbox, w.b0, account, "20.00")
        confirm(sandbox, w.b0, hryvnia)
        assert _watch_pass(w, sandbox) >= 1
        alert = _alert(w, hryvnia)
        assert alert is not None and alert["reasons"][0] == "other_currency", alert
    finally:
        r = w.http.put("/api/v1/policy", headers=it, json=got)
        assert r.status_code == 200, r.text


def test_a_refund_or_commission_is_the_banks_operation_not_the_tills(
        world: World, sandbox: SandboxProcess) -> None:
    """Processing ↔ customer under another category of §3.9 (a full refund "51", a bank
    commission "40") is none of the desk's cash: not authorized as cash, never counted in a
    till, not alerted by the cash watcher."""
    w = world
    _, account = customer(sandbox, w.b0)
    processing = _processing(sandbox, w.b0)
    refund = _payment(sandbox, w.b0, processing, account, "30.00", "51")
    said = w.post("/api/v1/cash/authorize", w.teller, payment_guid=refund)
    assert said.status_code == 200 and said.json()["decision"] == "refuse", said.text
    assert said.json()["reasons"] == ["not_cash"], said.text
    confirm(sandbox, w.b0, refund)
    commission = _payment(sandbox, w.b0, account, processing, "5.00", "40")
    confirm(sandbox, w.b0, commission)
    _watch_pass(w, sandbox)
    assert _alert(w, refund) is None and _alert(w, commission) is None


def test_cash_in_another_currency_is_refused_when_asked_and_never_counted(
        world: World, sandbox: SandboxProcess) -> None:
    """With the till's currency set to EUR, a hryvnia draft is refused when the desk asks
    (``/cash/authorize``: no till's cash), its four-eyes request is refused, and hryvnia cash
    authorized before the change and confirmed on DCM is never counted in the till."""
    w = world
    cust, account = customer(sandbox, w.b0)
    earlier = draft(sandbox, w.b0, account, "30.00")
    assert w.authorize(earlier)["decision"] == "allow"
    expected = w.http.get("/api/v1/tills/current", headers=w.teller).json()["expected"]
    confirm(sandbox, w.b0, earlier)
    got = w.http.get("/api/v1/policy", headers=w.admin).json()["policy"]
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}  # another currency: break glass
    r = w.http.put("/api/v1/policy", headers=it, json={**got, "cash_currency": "EUR"})
    assert r.status_code == 200, r.text
    try:
        guid = draft(sandbox, w.b0, account, "40.00")
        verdict = w.authorize(guid)
        assert verdict["decision"] == "refuse" and verdict["reasons"] == ["not_cash"], verdict
        r = w.post("/api/v1/requests", w.teller, kind="cash_confirm", customer_guid=cust,
                   reason="big", change={"payment_guid": guid, "amount": "40.00",
                                         "branch_guid": w.b0})
        assert r.status_code == 422 and r.json()["code"] == "not_cash", r.text
        r = w.post("/api/v1/tills/current/operations", w.teller, payment_guid=earlier)
        assert r.status_code == 409, r.text
        till = w.http.get("/api/v1/tills/current", headers=w.teller).json()
        assert till["expected"] == expected, till  # the hryvnia deposit is no EUR till's
    finally:
        r = w.http.put("/api/v1/policy", headers=it, json=got)
        assert r.status_code == 200, r.text
