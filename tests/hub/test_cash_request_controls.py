"""A ``cash_confirm`` request meets every hub cash control (security review): only the
teller who authorized the draft at ``/cash/authorize`` files it, for that customer and
branch, and the hub's decision is taken again (daily limit); the draft's own teller never
approves it; a Mode-B execution re-checks the draft is still controlled. The oracles
(``/policy/evaluate``, ``/cash/authorize``, ``/cash/preview``) tell another branch nothing;
the approval policy is bank-wide (head office); the cash limits are audited; a teller reads
only their own authorizations. Real sandbox and hub, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fe_db import db_url
from fe_helpers import start_fe_hub, wait_for
from hub_proc import HubProc, add_employee, branches, sign_in
from sqlalchemy.ext.asyncio import create_async_engine
from till_helpers import _client, _run, customer, draft, status
from till_open import open_till

from teller_app.core.cash import find_processing_account
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import commands
from teller_app.hub.canon import canonical, sha256_hex
from teller_app.hub.db import now
from teller_app.hub.fe_tables import commands as command_rows
from teller_app.hub.models import HubEmployee
from teller_app.platform import NewCustomer
from teller_app.platform.models import NewPayment

OPEN = {"note_100": 50}  # 5 000.00
TERSE = {"decision", "reasons", "message"}


@dataclass
class World:
    hub: HubProc
    http: httpx.Client
    b0: str
    b1: str
    sup: dict[str, str]        # branch 0 supervisor (co-signs, approves)
    ho_admin: dict[str, str]   # head-office Administrator

    def person(self, role: str = "Teller", branch: str | None = None) -> tuple[str, dict[str, str]]:
        email = add_employee(self.http, self.hub, roles=[role], branch_guid=branch or self.b0)
        return email, sign_in(self.http, email)

    def post(self, path: str, who: dict[str, str], body: Any = None) -> httpx.Response:
        return self.http.post(path, headers={**who, "X-Desk-ID": "desk-A"}, json=body)

    def open_till(self, who: dict[str, str]) -> None:
        open_till(self.http, who, self.sup, "T-" + uuid.uuid4().hex[:6], OPEN, "desk-A")

    def authorize(self, who: dict[str, str], guid: str) -> dict[str, Any]:
        r = self.post("/api/v1/cash/authorize", who, {"payment_guid": guid})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def file(self, who: dict[str, str], cust: str, guid: str, amount: str,
             **change: Any) -> httpx.Response:
        return self.post("/api/v1/requests", who, {
            "kind": "cash_confirm", "customer_guid": cust, "reason": "cash in",
            "change": {"payment_guid": guid, "amount": amount, **change}})

    def approve(self, who: dict[str, str], req: dict[str, Any]) -> httpx.Response:
        return self.post(f"/api/v1/requests/{req['id']}/approve", who,
                         {"sha256": req["sha256"]})


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("cash-controls-hub"), sandbox, hub_db,
                       TELLER_HUB_WATCH="0")
    b0, b1 = branches(sandbox)[:2]
    try:
        with hub.client() as http:
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            admin = add_employee(http, hub, roles=["Administrator"], head_office=True)
            yield World(hub, http, b0, b1, sign_in(http, sup), sign_in(http, admin))
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def it_token(w: World) -> dict[str, str]:
    """IT's admin token: the audited break glass (a relaxing change applies at once)."""
    return {"Authorization": f"Bearer {w.hub.admin_token}"}


def _refused(r: httpx.Response, status_code: int, code: str) -> None:
    assert (r.status_code, r.json().get("code")) == (status_code, code), r.text


def _plain_payment(sandbox: SandboxProcess, branch: str, amount: str) -> str:
    """A CREATED payment that is not cash: branch processing → a new customer as a full
    refund ("51"; uncategorised, the same accounts would be cash)."""
    async def run() -> str:
        asset = sandbox.manifest["asset"]
        async with _client(sandbox) as c:
            refund = next(x.guid for x in await c.list_categories() if x.name == "51")
            created = await c.create_customer(NewCustomer(
                asset_code=asset["code"], asset_issuer=asset["issuer"],
                login="pp" + uuid.uuid4().hex[:10], branch_guid=branch,
                balance_allowed=Decimal(100000)))
            return await c.create_payment(NewPayment(
                amount=Decimal(amount), asset_code=asset["code"], asset_issuer=asset["issuer"],
                sender_id=await find_processing_account(c, branch),
                receiver_id=created.wallet_account_guid, category_guid=refund,
                purpose="refund"),
                branch_guid=branch)
    return _run(run())


def _legacy_request(w: World, maker: str, cust: str, guid: str, amount: str, *,
                    approved_by: str | None = None) -> dict[str, Any]:
    """A request row as one filed before these checks (straight into the hub's database);
    ``approved_by``: decided too, its execution marker stale, so the hub's resume loop
    takes it over (Mode B: the hub's own confirm)."""
    change = {"payment_guid": guid, "amount": amount, "currency": "UAH"}
    text = canonical(change)

    def emp(email: str, roles: tuple[str, ...]) -> HubEmployee:
        return HubEmployee(email, "", roles, w.b0, False, "hub")

    async def run() -> dict[str, Any]:
        engine = create_async_engine(db_url(w.hub))
        try:
            cmd, _ = await commands.file(
                engine, command_id=None, kind="cash_confirm", customer_guid=cust,
                branch_guid=w.b0, change_json=text, sha256=sha256_hex(text), before={},
                maker=emp(maker, ("Teller",)), reason="legacy", desk_id="")
            if approved_by is not None:
                new = await commands.decide(engine, cmd, emp(approved_by, ("Supervisor",)),
                                            approve=True, sha256=cmd.sha256, comment="",
                                            desk_id="")
                assert new is not None
                async with engine.begin() as conn:
                    await conn.execute(command_rows.update().where(
                        command_rows.c.id == cmd.id).values(
                        execution_started_at=now() - 600))
            return cmd.out()
        finally:
            await engine.dispose()
    return _run(run())


def test_a_draft_never_authorized_is_not_filed(world: World, sandbox: SandboxProcess) -> None:
    """Audit (a): a 15 000 deposit the teller never authorized is refused at filing; once
    authorized, the same draft goes through and the till counts it."""
    w = world
    _, teller = w.person()
    w.open_till(teller)
    cust, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "15000.00")
    _refused(w.file(teller, cust, guid, "15000.00"), 409, "not_authorized")
    assert w.authorize(teller, guid)["decision"] == "needs_approval"
    r = w.file(teller, cust, guid, "15000.00", branch_guid=w.b0)
    assert r.status_code == 201, r.text
    done = w.approve(w.sup, r.json())
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert status(sandbox, guid) == "CONFIRMED"
    till = w.http.get("/api/v1/tills/current", headers=teller).json()
    assert till["expected"] == "20000.00"


def test_filing_takes_the_hub_decision_again(world: World, sandbox: SandboxProcess) -> None:
    """The teller's hard daily limit holds for a request too: lowered after the draft was
    authorized, the filing is refused."""
    w = world
    _, teller = w.person()
    w.open_till(teller)
    cust, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "15000.00")
    assert w.authorize(teller, guid)["decision"] == "needs_approval"
    try:
        r = w.http.put("/api/v1/cash/limits", headers=w.ho_admin,
                       json={"teller_daily_limit": "10000"})
        assert r.status_code == 200, r.text
        _refused(w.file(teller, cust, guid, "15000.00"), 409, "teller_daily_limit")
    finally:  # back up: a raise, so IT's break glass (a head-office admin's would wait)
        w.http.put("/api/v1/cash/limits", headers=it_token(w), json={})
    assert status(sandbox, guid) == "CREATED"


def test_another_branch_or_customer_or_kind_is_refused(world: World,
                                                       sandbox: SandboxProcess) -> None:
    """Audit (b): a branch-1 payment named under a branch-0 customer is never filed —
    neither a payment with no category nor a branch-1 cash draft; nor a change naming
    another branch than the draft's."""
    w = world
    _, teller = w.person()
    w.open_till(teller)
    mine, account = customer(sandbox, w.b0)
    plain = _plain_payment(sandbox, w.b1, "123.00")
    _refused(w.file(teller, mine, plain, "123.00"), 422, "not_cash")
    _, far_account = customer(sandbox, w.b1)
    far = draft(sandbox, w.b1, far_account, "123.00")
    _refused(w.file(teller, mine, far, "123.00"), 422, "other_customer")
    own = draft(sandbox, w.b0, account, "12000.00")
    assert w.authorize(teller, own)["decision"] == "needs_approval"
    _refused(w.file(teller, mine, own, "12000.00", branch_guid=w.b1), 422, "branch_differs")
    _refused(w.file(teller, mine, own, "11000.00"), 422, "amount_differs")
    assert {status(sandbox, g) for g in (plain, far, own)} == {"CREATED"}


def test_the_drafts_teller_never_approves_it(world: World, sandbox: SandboxProcess) -> None:
    """Audit (c): a supervisor holding a till authorizes a 12 000 draft; a colleague cannot
    file it for them, they cannot approve their own filing, and a request filed for it
    before these checks is refused to them too; another supervisor approves."""
    w = world
    _, sup_b_hdr = w.person("Supervisor")
    _, teller = w.person()
    w.open_till(sup_b_hdr)
    cust, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "12000.00")
    assert w.authorize(sup_b_hdr, guid)["decision"] == "needs_approval"
    _refused(w.file(teller, cust, guid, "12000.00"), 403, "other_teller")
    teller_email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    legacy = _legacy_request(w, teller_email, cust, guid, "12000.00")
    _refused(w.approve(sup_b_hdr, legacy), 403, "cash_own")
    assert status(sandbox, guid) == "CREATED"
    r = w.file(sup_b_hdr, cust, guid, "12000.00")
    assert r.status_code == 201, r.text
    assert w.approve(sup_b_hdr, r.json()).status_code == 403  # the maker
    done = w.approve(w.sup, r.json())
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert status(sandbox, guid) == "CONFIRMED"


def test_approval_and_execution_recheck_the_draft(world: World,
                                                  sandbox: SandboxProcess) -> None:
    """Requests filed before these checks for a draft the hub never authorized: an approval
    is refused; one already approved is not confirmed when the hub resumes it (Mode B)."""
    w = world
    teller = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    sup = add_employee(w.http, w.hub, roles=["Supervisor"], branch_guid=w.b0)
    cust, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "12000.00")
    pending = _legacy_request(w, teller, cust, guid, "12000.00")
    _refused(w.approve(w.sup, pending), 409, "not_authorized")
    other = draft(sandbox, w.b0, account, "13000.00")
    approved = _legacy_request(w, teller, cust, other, "13000.00", approved_by=sup)

    def settled() -> dict[str, Any] | None:
        r = w.http.get(f"/api/v1/requests/{approved['id']}", headers=w.sup)
        return r.json() if r.json()["state"] != "approved" else None

    out = wait_for(settled, timeout=30)
    assert out["state"] == "failed" and "never authorized" in out["result"], out
    assert {status(sandbox, guid), status(sandbox, other)} == {"CREATED"}


def test_evaluate_reads_no_other_branch_customer(world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, teller = w.person()
    mine, _ = customer(sandbox, w.b0)
    far, _ = customer(sandbox, w.b1)

    def evaluate(guid: str) -> httpx.Response:
        return w.post("/api/v1/policy/evaluate", teller, {
            "kind": "customer_update", "customer_guid": guid,
            "change": {"balance_allowed": "5"}})

    assert evaluate(mine).status_code == 200
    refused, unknown = evaluate(far), evaluate(str(uuid.uuid4()))
    _refused(refused, 403, "not_your_customer")
    assert (refused.status_code, refused.json()) == (unknown.status_code, unknown.json())


def test_authorize_and_preview_tell_nothing_of_another_branch(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, teller = w.person()
    far_customer, far_account = customer(sandbox, w.b1)
    far = draft(sandbox, w.b1, far_account, "777.00")
    out = w.authorize(teller, far)
    assert set(out) == TERSE and out["reasons"] == ["other_branch"], out
    plain = w.authorize(teller, _plain_payment(sandbox, w.b1, "12.00"))
    assert set(plain) == TERSE and plain["reasons"] == ["not_cash"], plain
    r = w.post("/api/v1/cash/preview", teller, {"kind": "deposit", "amount": "10.00",
                                                "customer_guid": far_customer})
    assert r.status_code == 200 and set(r.json()) == TERSE, r.text
    assert r.json()["reasons"] == ["other_branch"]
    unknown = w.post("/api/v1/cash/preview", teller, {"kind": "deposit", "amount": "10.00",
                                                      "customer_guid": str(uuid.uuid4())})
    assert (unknown.status_code, unknown.json()) == (r.status_code, r.json())  # existence untold
    filed = [w.post("/api/v1/requests", teller, {
        "kind": "customer_update", "customer_guid": guid, "change": {"kyc_level": 0},
        "reason": "oracle"}) for guid in (far_customer, str(uuid.uuid4()))]
    assert [f.status_code for f in filed] == [403, 403]
    assert filed[0].json() == filed[1].json() and filed[0].json()["code"] == "not_your_customer"


def test_policy_is_bank_wide_and_limits_are_audited(world: World) -> None:
    w = world
    _, branch_admin = w.person("Administrator")
    got = w.http.get("/api/v1/policy", headers=w.sup).json()["policy"]
    _refused(w.http.put("/api/v1/policy", headers=branch_admin, json=got), 403,
             "head_office_only")
    assert w.http.put("/api/v1/policy", headers=w.ho_admin, json=got).status_code == 200
    limits = w.http.get("/api/v1/cash/limits", headers=w.sup).json()
    try:
        r = w.http.put("/api/v1/cash/limits", headers=w.ho_admin,  # lowered: at once
                       json={**limits, "customer_daily_threshold": "9876.54"})
        assert r.status_code == 200, r.text
    finally:  # raised back: IT's break glass (a head-office admin's would wait for another)
        w.http.put("/api/v1/cash/limits", headers=it_token(w), json=limits)
    trail = w.http.get("/api/v1/audit", headers=w.ho_admin,
                       params={"action": "policy", "limit": 1000}).json()["entries"]
    saved = [e["detail"] for e in trail if e["entity"] == "cash_limits"]
    assert saved[-2:] == [{**limits, "customer_daily_threshold": "9876.54"},
                          {**limits, "break_glass": True,
                           "relaxes": ["customer_daily_threshold"]}], saved


def test_a_teller_reads_only_own_authorizations(world: World, sandbox: SandboxProcess) -> None:
    w = world
    me, teller = w.person()
    _, colleague = w.person()
    w.open_till(teller)
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "10.00")
    assert w.authorize(teller, guid)["decision"] == "allow"

    def seen(who: dict[str, str]) -> list[str]:
        r = w.http.get("/api/v1/cash/authorizations", headers=who,
                       params={"payment_guid": guid})
        assert r.status_code == 200, r.text
        return [a["teller"] for a in r.json()["authorizations"]]

    assert seen(teller) == [me] and seen(w.sup) == [me]
    assert seen(colleague) == []
