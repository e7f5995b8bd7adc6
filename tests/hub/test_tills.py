"""Tills on the hub (issue 15 item 6): open with a count (co-signed when it differs from the
last close), the expected position moved only by payments the hub verified on DCM, vault
transfers approved by a supervisor, close with over/short to the kopiyka, one desk per till,
cumulative limits before confirm, voids and rejections. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, branches, sign_in
from till_helpers import confirm, customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess


@dataclass
class World:
    hub: HubProc
    http: httpx.Client
    b0: str
    b1: str
    sup: dict[str, str]
    admin: dict[str, str]
    sup2: dict[str, str]  # a second supervisor: co-signs the first one's vault counts

    def teller(self, *, head_office: bool = False) -> tuple[str, dict[str, str]]:
        email = add_employee(self.http, self.hub, roles=["Teller"],
                             branch_guid=None if head_office else self.b0,
                             head_office=head_office)
        return email, sign_in(self.http, email)

    def post(self, path: str, headers: dict[str, str], desk: str | None = None,
             **body: Any) -> httpx.Response:
        hdrs = dict(headers)
        if desk:
            hdrs["X-Desk-ID"] = desk
        return self.http.post(path, headers=hdrs, json=body)


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("till-hub"), sandbox, hub_db)
    b0, b1 = branches(sandbox)[:2]
    try:
        with hub.client() as http:
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            admin = add_employee(http, hub, roles=["Administrator"], head_office=True)
            sup2 = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            yield World(hub, http, b0, b1, sign_in(http, sup), sign_in(http, admin),
                        sign_in(http, sup2))
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def open_till(w: World, teller: dict[str, str], code: str, counts: dict[str, int],
              desk: str = "desk-A", cosigner: dict[str, str] | None = None) -> dict[str, Any]:
    r = w.post("/api/v1/tills/open", teller, desk, till_code=code, counts=counts)
    assert r.status_code == 200, r.text
    till = dict(r.json())
    if till["state"] == "cosign" and cosigner is not None:
        r = w.post(f"/api/v1/tills/{till['id']}/cosign", cosigner)
        assert r.status_code == 200, r.text
        till = dict(r.json())
        assert till["state"] == "open"
    return till


def authorize(w: World, teller: dict[str, str], guid: str) -> dict[str, Any]:
    r = w.post("/api/v1/cash/authorize", teller, "desk-A", payment_guid=guid)
    assert r.status_code == 200, r.text
    return dict(r.json())


OPEN = {"note_100": 5, "coin_0.50": 1, "coin_0.10": 3}  # 500.80


def stock_vault(w: World, counts: dict[str, int]) -> None:
    """The branch vault holds ``counts``: one supervisor counts, a second co-signs."""
    r = w.http.put("/api/v1/vault", headers=w.sup, json={"counts": counts, "reason": "stock"})
    if r.json()["count"]["state"] == "pending":
        r = w.post(f"/api/v1/vault/counts/{r.json()['count']['id']}/cosign", w.sup2)
    assert r.status_code == 200 and r.json()["count"]["state"] == "applied", r.text


def test_till_day_to_the_kopiyka(world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, teller = w.teller()
    code = "T-day"
    till = open_till(w, teller, code, OPEN)
    assert till["open_total"] == "500.80" and till["state"] == "cosign"  # first opening
    _, account = customer(sandbox, w.b0)
    dep = draft(sandbox, w.b0, account, "150.50")
    assert authorize(w, teller, dep)["reasons"] == ["no_open_till"]  # not co-signed yet
    r = w.post(f"/api/v1/tills/{till['id']}/cosign", teller)
    assert r.status_code == 403  # never the teller themself
    r = w.post(f"/api/v1/tills/{till['id']}/cosign", w.sup)
    assert r.status_code == 200 and r.json()["cosigned_by"]
    # an unconfirmed payment is not counted: the hub reads DCM, not the desk
    r = w.post("/api/v1/tills/current/operations", teller, "desk-A", payment_guid=dep)
    assert r.status_code == 409 and "CREATED" in r.json()["error"]
    assert authorize(w, teller, dep)["decision"] == "allow"
    confirm(sandbox, w.b0, dep)
    r = w.post("/api/v1/tills/current/operations", teller, "desk-A", payment_guid=dep)
    assert r.status_code == 200 and r.json()["counted"] is True
    assert r.json()["till"]["expected"] == "651.30"
    again = w.post("/api/v1/tills/current/operations", teller, "desk-A", payment_guid=dep)
    assert again.json()["counted"] is False and again.json()["till"]["expected"] == "651.30"
    wd = draft(sandbox, w.b0, account, "20.20", kind="withdrawal")
    assert authorize(w, teller, wd)["decision"] == "allow"
    _, rich = customer(sandbox, w.b0)
    confirm(sandbox, w.b0, draft(sandbox, w.b0, rich, "5000.00"))  # another desk's deposit
    big = draft(sandbox, w.b0, rich, "700.00", kind="withdrawal")
    assert authorize(w, teller, big)["reasons"] == ["till_short"]
    confirm(sandbox, w.b0, wd)
    r = w.post("/api/v1/tills/current/operations", teller, "desk-A", payment_guid=wd)
    assert r.json()["till"]["expected"] == "631.10"
    short = {"note_100": 6, "note_20": 1, "note_10": 1, "coin_0.50": 1, "coin_0.10": 4}  # 630.90
    r = w.post("/api/v1/tills/current/close", teller, "desk-A", counts=short)
    assert r.status_code == 422 and "reason" in r.json()["error"]
    r = w.post("/api/v1/tills/current/close", teller, "desk-A", counts=short,
               reason="20 kopiyky short, recounted twice")
    assert r.status_code == 200, r.text
    # past the bank's close tolerance (0.00 by default): a supervisor co-signs the close
    assert r.json()["state"] == "close_cosign" and r.json()["closed_at"] is None
    r = w.post(f"/api/v1/tills/{till['id']}/close-cosign", w.sup, counted="630.90")
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "closed" and closed["close_cosigned_by"]
    assert (closed["counted"], closed["expected"], closed["over_short"]) == (
        "630.90", "631.10", "-0.20")
    rep = w.http.get(f"/api/v1/tills/{till['id']}/report", headers=teller).json()
    # the co-signer is in the hub's own store only: the hub names them
    assert rep["cosigned_by"] and rep["cosigned_by_name"] == "Test Employee"
    assert rep["close_cosigned_by"] == rep["cosigned_by"]  # the same supervisor, named too
    assert rep["close_cosigned_by_name"] == "Test Employee"
    assert rep["totals"] == {"deposit": {"count": 1, "amount": "150.50"},
                             "withdrawal": {"count": 1, "amount": "20.20"}}
    assert [o["payment_guid"] for o in rep["operations"]] == [dep, wd]
    # the same count as the last close opens without a co-sign; a different one needs it
    same = open_till(w, teller, code, short)
    assert same["state"] == "open" and same["previous_close"] == "630.90"
    assert w.post("/api/v1/tills/current/close", teller, "desk-A", counts=short).is_success
    differs = open_till(w, teller, code, OPEN)
    assert differs["state"] == "cosign" and differs["previous_close"] == "630.90"
    # not before its opening count is co-signed: closed now, the difference would vanish
    r = w.post("/api/v1/tills/current/close", teller, "desk-A", counts=OPEN)
    assert (r.status_code, r.json()["code"]) == (409, "awaiting_cosign")
    w.post(f"/api/v1/tills/{differs['id']}/cosign", w.sup)
    assert w.post("/api/v1/tills/current/close", teller, "desk-A", counts=OPEN).status_code == 200


def test_one_till_two_desks(world: World) -> None:
    w = world
    _, teller = w.teller()
    _, other = w.teller()
    open_till(w, teller, "T-lease", OPEN, desk="desk-A", cosigner=w.sup)
    r = w.post("/api/v1/tills/open", teller, "desk-B", till_code="T-lease", counts=OPEN)
    assert r.status_code == 409 and "another desk" in r.json()["error"]
    r = w.post("/api/v1/tills/current/heartbeat", teller, "desk-B")
    assert r.status_code == 409
    r = w.post("/api/v1/tills/current/close", teller, "desk-B", counts=OPEN)
    assert r.status_code == 409
    r = w.post("/api/v1/tills/open", other, "desk-C", till_code="T-lease", counts=OPEN)
    assert r.status_code == 409
    assert w.post("/api/v1/tills/current/heartbeat", teller, "desk-A").status_code == 200
    r = w.post("/api/v1/tills/open", teller, "desk-A", till_code="T-other", counts=OPEN)
    assert r.status_code == 409 and "already hold" in r.json()["error"]
    assert w.post("/api/v1/tills/current/close", teller, "desk-A", counts=OPEN).status_code == 200


def test_vault_transfers_and_branch_position(world: World) -> None:
    w = world
    _, teller = w.teller()
    stock_vault(w, {"note_1000": 50})
    till = open_till(w, teller, "T-vault", OPEN, cosigner=w.sup)
    r = w.post("/api/v1/tills/current/transfers", teller, "desk-A", direction="to_till",
               amount="2000.00")
    assert r.status_code == 200 and r.json()["state"] == "pending"
    transfer = r.json()["id"]
    assert w.post(f"/api/v1/transfers/{transfer}/approve", teller).status_code == 403
    r = w.post("/api/v1/tills/current/close", teller, "desk-A", counts=OPEN)
    assert r.status_code == 409 and "transfer" in r.json()["error"]
    r = w.post(f"/api/v1/transfers/{transfer}/approve", w.sup, comment="ok")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert w.post(f"/api/v1/transfers/{transfer}/approve", w.sup).status_code == 409
    pos = w.http.get("/api/v1/cash/position", headers=w.sup).json()
    assert pos["vault"] == "48000.00"
    mine = next(t for t in pos["tills"] if t["id"] == till["id"])
    assert mine["expected"] == "2500.80"
    assert w.http.get("/api/v1/cash/position", headers=teller).status_code == 403
    r = w.http.get("/api/v1/cash/position", headers=w.sup, params={"branch_guid": w.b1})
    assert r.status_code == 403
    r = w.post("/api/v1/tills/current/transfers", teller, "desk-A", direction="to_vault",
               amount="2500.80")
    back = r.json()["id"]
    w.post(f"/api/v1/transfers/{back}/approve", w.sup)
    r = w.post("/api/v1/tills/current/close", teller, "desk-A", counts={})
    assert r.status_code == 200 and r.json()["over_short"] == "0.00"
    assert w.http.get("/api/v1/cash/position", headers=w.sup).json()["vault"] == "50500.80"


def test_cumulative_limit_across_customers_and_branches(world: World,
                                                        sandbox: SandboxProcess) -> None:
    """Three 9 999.90 deposits into customers of two branches: the third needs a supervisor."""
    w = world
    _, teller = w.teller(head_office=True)
    open_till(w, teller, "T-ho", OPEN, cosigner=w.admin)
    accounts = [customer(sandbox, b)[1] for b in (w.b0, w.b1, w.b1)]
    drafts = [(b, draft(sandbox, b, a, "9999.90")) for b, a in zip((w.b0, w.b1, w.b1), accounts,
                                                                   strict=True)]
    first, second, third = (authorize(w, teller, g) for _, g in drafts)
    assert first["decision"] == "allow" and second["decision"] == "allow"
    assert third["decision"] == "needs_approval" and third["reasons"] == ["teller_cumulative"]
    assert third["amount"] == "9999.90" and third["day_total"] == "29999.70"
    # the hard daily limit refuses outright
    r = w.http.put("/api/v1/cash/limits", headers=w.admin, json={"teller_daily_limit": "25000"})
    assert r.status_code == 200
    try:
        assert authorize(w, teller, drafts[2][1])["reasons"] == ["teller_daily_limit"]
    finally:  # raised back: IT's break glass (a head-office admin's would wait for another)
        w.http.put("/api/v1/cash/limits", json={},
                   headers={"Authorization": f"Bearer {w.hub.admin_token}"})
    assert w.http.put("/api/v1/cash/limits", headers=teller, json={}).status_code == 403
    # a branch teller may not take cash for another branch's customer
    _, b0_teller = w.teller()
    open_till(w, b0_teller, "T-b0", OPEN, cosigner=w.sup)
    assert authorize(w, b0_teller, drafts[1][1])["reasons"][0] in ("other_branch",
                                                                   "other_teller")
    other = draft(sandbox, w.b1, accounts[1], "10.00")
    assert authorize(w, b0_teller, other)["reasons"] == ["other_branch"]
    # one customer, many small deposits: the customer's day total counts too
    cust = customer(sandbox, w.b0)[1]
    a = authorize(w, b0_teller, draft(sandbox, w.b0, cust, "6000.00"))
    b = authorize(w, b0_teller, draft(sandbox, w.b0, cust, "6000.00"))
    assert a["decision"] == "allow"
    assert b["decision"] == "needs_approval" and b["reasons"] == ["customer_cumulative"]
    over = authorize(w, b0_teller, draft(sandbox, w.b0, cust, "10000.10"))
    assert "over_threshold" in over["reasons"]
    r = w.post("/api/v1/cash/preview", b0_teller, kind="deposit", amount="50.00",
               customer_guid=customer(sandbox, w.b0)[0])
    assert r.status_code == 200 and r.json()["decision"] == "allow"
    for t in (teller, b0_teller):
        w.post("/api/v1/tills/current/close", t, "desk-A", counts=OPEN)


def test_void_and_reject(world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, teller = w.teller()
    _, other = w.teller()
    open_till(w, teller, "T-void", OPEN, cosigner=w.sup)
    cust, account = customer(sandbox, w.b0)
    mistake = draft(sandbox, w.b0, account, "123.40")
    assert authorize(w, teller, mistake)["decision"] == "allow"
    r = w.post("/api/v1/cash/void", other, payment_guid=mistake, reason="not mine")
    assert r.status_code == 403
    r = w.post("/api/v1/cash/void", teller, payment_guid=mistake, reason="")
    assert r.status_code == 422
    r = w.post("/api/v1/cash/void", teller, payment_guid=mistake, reason="wrong amount")
    assert r.status_code == 200 and r.json()["kind"] == "void"
    refused = authorize(w, teller, mistake)
    assert refused["decision"] == "refuse" and refused["reasons"] == ["voided"]
    listed = w.http.get("/api/v1/cash/voids", headers=w.sup,
                        params={"payment_guid": mistake}).json()["voids"]
    assert [(v["payment_guid"], v["reason"], v["amount"]) for v in listed] == [
        (mistake, "wrong amount", "123.40")]
    assert status(sandbox, mistake) == "CREATED"  # DCM has no cancel: the hub remembers
    # a supervisor rejects a draft waiting for them: its request leaves the queue
    big = draft(sandbox, w.b0, account, "15000.00")
    assert authorize(w, teller, big)["decision"] == "needs_approval"
    r = w.post("/api/v1/requests", teller, kind="cash_confirm", customer_guid=cust,
               reason="over threshold",
               change={"payment_guid": big, "amount": "15000.00", "branch_guid": w.b0})
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    r = w.post("/api/v1/cash/reject", teller, payment_guid=big, comment="no")
    assert r.status_code == 403
    r = w.post("/api/v1/cash/reject", w.sup, payment_guid=big, comment="")
    assert r.status_code == 422
    r = w.post("/api/v1/cash/reject", w.sup, payment_guid=big, comment="customer left")
    assert r.status_code == 200 and r.json()["kind"] == "reject"
    req = w.http.get(f"/api/v1/requests/{request_id}", headers=w.sup).json()
    assert req["state"] == "rejected" and "customer left" in req["comment"]
    # its decision row says whose cash and how much, as a supervisor's decision does
    trail = w.http.get("/api/v1/audit", headers=w.sup, params={"limit": 1000}).json()
    [decided] = [e["detail"] for e in trail["entries"]
                 if e["entity"] == f"request:{request_id}" and e["action"] == "decision"]
    assert decided["customer_guid"] == cust and decided["change"]["amount"] == "15000.00"
    pending = w.http.get("/api/v1/requests", headers=w.sup, params={"state": "pending"}).json()
    assert request_id not in [x["id"] for x in pending["requests"]]
    assert authorize(w, teller, big)["reasons"] == ["voided"]
    # rejected from the inbox (the requests API): the draft is voided as well
    other = draft(sandbox, w.b0, account, "12000.00")
    assert authorize(w, teller, other)["decision"] == "needs_approval"
    req = w.post("/api/v1/requests", teller, kind="cash_confirm", customer_guid=cust,
                 reason="over threshold",
                 change={"payment_guid": other, "amount": "12000.00"}).json()
    r = w.post(f"/api/v1/requests/{req['id']}/reject", w.sup, comment="wrong customer")
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert authorize(w, teller, other)["reasons"] == ["voided"]
    listed = w.http.get("/api/v1/cash/voids", headers=teller,
                        params={"payment_guid": other}).json()["voids"]
    assert [(v["kind"], v["reason"], v["amount"]) for v in listed] == [
        ("reject", "wrong customer", "12000.00")]
    # a confirmed payment cannot be voided
    done = draft(sandbox, w.b0, account, "1.00")
    authorize(w, teller, done)
    confirm(sandbox, w.b0, done)
    r = w.post("/api/v1/cash/void", teller, payment_guid=done, reason="late")
    assert r.status_code == 409
    w.post("/api/v1/tills/current/close", teller, "desk-A", counts=OPEN)


def test_unreported_and_supervised_operations_are_counted(world: World,
                                                         sandbox: SandboxProcess) -> None:
    """The expected cash follows DCM, not the desk's reports: a confirm the desk never
    reported, a supervisor's confirm at the teller's desk and an inbox approval executed by
    the hub all move the till."""
    w = world
    _, teller = w.teller()
    open_till(w, teller, "T-sync", OPEN, cosigner=w.sup)
    cust, account = customer(sandbox, w.b0)
    quiet = draft(sandbox, w.b0, account, "100.00")
    assert authorize(w, teller, quiet)["decision"] == "allow"
    confirm(sandbox, w.b0, quiet)  # the desk crashed before telling the hub
    now = w.http.get("/api/v1/tills/current", headers=teller).json()
    assert now["expected"] == "600.80"
    big = draft(sandbox, w.b0, account, "15000.00")
    assert authorize(w, teller, big)["decision"] == "needs_approval"
    confirm(sandbox, w.b0, big)  # a supervisor confirmed it in place, with their own session
    # approved from the inbox: the hub itself confirms on DCM (Mode B, its bank key)
    inbox = draft(sandbox, w.b0, account, "12000.00")
    assert authorize(w, teller, inbox)["decision"] == "needs_approval"
    req = w.post("/api/v1/requests", teller, kind="cash_confirm", customer_guid=cust,
                 reason="over threshold",
                 change={"payment_guid": inbox, "amount": "12000.00", "branch_guid": w.b0}).json()
    r = w.post(f"/api/v1/requests/{req['id']}/approve", w.sup, sha256=req["sha256"])
    assert r.status_code == 200 and r.json()["state"] == "applied", r.text
    assert status(sandbox, big) == "CONFIRMED"
    counts = {"note_1000": 27, "note_500": 1, "note_100": 1, "coin_0.50": 1,
              "coin_0.10": 3}  # 27 600.80
    r = w.post("/api/v1/tills/current/close", teller, "desk-A", counts=counts)
    assert r.status_code == 200, r.text
    assert (r.json()["expected"], r.json()["over_short"]) == ("27600.80", "0.00")
    rep = w.http.get(f"/api/v1/tills/{r.json()['id']}/report", headers=w.sup).json()
    assert rep["totals"] == {"deposit": {"count": 3, "amount": "27100.00"}}


def test_parallel_authorizations_cannot_split_the_threshold(world: World,
                                                            sandbox: SandboxProcess) -> None:
    """Three desks of one teller racing: the day total is checked and recorded in one
    transaction per teller, so exactly two 9 999.90 deposits pass unsupervised."""
    from concurrent.futures import ThreadPoolExecutor

    w = world
    _, teller = w.teller()
    open_till(w, teller, "T-race", OPEN, cosigner=w.sup)
    guids = [draft(sandbox, w.b0, customer(sandbox, w.b0)[1], "9999.90") for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda g: authorize(w, teller, g), guids))
    decisions = sorted(a["decision"] for a in answers)
    assert decisions == ["allow", "allow", "needs_approval"], answers
    w.post("/api/v1/tills/current/close", teller, "desk-A", counts=OPEN)


def test_a_till_closes_once_however_many_desks_press_close(world: World) -> None:
    """Closes racing (a double click, a retry, two processes): the close is a conditional
    update, so exactly one lands; the others are told the till is closed, and the figures
    and the audit trail hold the one close."""
    from concurrent.futures import ThreadPoolExecutor

    w = world
    _, teller = w.teller()
    till = open_till(w, teller, "T-close-race", OPEN, cosigner=w.sup)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _i: w.post("/api/v1/tills/current/close", teller,
                                                  "desk-A", counts=OPEN), range(4)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409, 409, 409], [r.text for r in answers]
    refused = [r.json() for r in answers if r.status_code == 409]
    assert all(r.get("code") in ("till_closed", None) for r in refused)
    report = w.http.get(f"/api/v1/tills/{till['id']}/report", headers=teller)
    assert report.status_code == 200 and report.json()["state"] == "closed"
