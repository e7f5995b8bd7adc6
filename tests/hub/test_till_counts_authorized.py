"""A payment the hub authorized on a till and DCM confirmed counts in that till by its
authorization, not by what DCM shows of its customer now (an audit: a customer moved to
another branch after the confirm dropped a 500.00 deposit and a 120.00 withdrawal out of the
till, which closed balanced without them and refused the desk's late report). A confirmed
payment that is not what the hub authorized is never counted: a close without a reason is
refused naming it; with one, the till waits for a supervisor's co-sign naming it, and the
co-sign closes it without that payment (an audit row each); the desk's report of a
draft voided at an earlier close, or authorized on another till session, is refused (the
cash watcher and a supervisor see to it). Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_db import execute
from hub_proc import add_employee, sign_in
from staffed_hub import Staffed, staffed_hub
from till_helpers import _client, _run, confirm, customer, draft, status
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import CustomerUpdate

THOUSAND = {"note_100": 10}


@dataclass
class World(Staffed):
    sandbox: SandboxProcess

    def new_teller(self, code: str) -> dict[str, str]:
        """A new teller of branch 0 with till ``code`` open (1 000.00) at their own desk."""
        email = add_employee(self.http, self.hub, roles=["Teller"], branch_guid=self.b0)
        who = {**sign_in(self.http, email), "X-Desk-ID": "desk-" + uuid.uuid4().hex[:6]}
        self.open(who, code)
        return who

    def open(self, who: dict[str, str], code: str) -> dict[str, Any]:
        return open_till(self.http, {k: v for k, v in who.items() if k != "X-Desk-ID"},
                         self.sup, code, THOUSAND, who["X-Desk-ID"])

    def authorize(self, who: dict[str, str], guid: str, purpose: str = "confirm") -> None:
        r = self.http.post("/api/v1/cash/authorize", headers=who,
                           json={"payment_guid": guid, "purpose": purpose})
        assert r.status_code == 200, r.text
        assert r.json()["decision"] == "allow", r.text

    def confirmed(self, who: dict[str, str], account: str, amount: str,
                  kind: str = "deposit") -> str:
        """A draft the hub authorized on the till, confirmed on DCM; the desk never heard."""
        guid = draft(self.sandbox, self.b0, account, amount, kind)
        self.authorize(who, guid)
        confirm(self.sandbox, self.b0, guid)
        assert status(self.sandbox, guid) == "CONFIRMED"
        return guid

    def report_op(self, who: dict[str, str], guid: str) -> httpx.Response:
        return self.http.post("/api/v1/tills/current/operations", headers=who,
                              json={"payment_guid": guid})

    def close(self, who: dict[str, str], counts: dict[str, int],
              reason: str = "") -> httpx.Response:
        return self.http.post("/api/v1/tills/current/close", headers=who,
                              json={"counts": counts, "reason": reason})

    def current(self, who: dict[str, str]) -> dict[str, Any]:
        r = self.http.get("/api/v1/tills/current", headers=who)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def report(self, who: dict[str, str], till_id: str) -> dict[str, Any]:
        r = self.http.get(f"/api/v1/tills/{till_id}/report", headers=who)
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("till-authorized-hub"), sandbox,
                     hub_db) as staff:
        yield World(**staff.fields(), sandbox=sandbox)


def _move(sandbox: SandboxProcess, customer_guid: str, branch: str) -> None:
    """A head-office edit on DCM: the customer now belongs to ``branch``."""
    async def run() -> None:
        async with _client(sandbox) as c:
            await c.update_customer(customer_guid, CustomerUpdate(branch_guid=branch))
    _run(run())


def test_confirmed_cash_stays_in_the_till_when_its_customer_moves(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    who = w.new_teller("T-moved")
    cust, account = customer(sandbox, w.b0)
    dep = w.confirmed(who, account, "500.00")
    wd = w.confirmed(who, account, "120.00", "withdrawal")
    _move(sandbox, cust, w.b1)
    r = w.report_op(who, dep)  # the desk's late report: counted by its authorization
    assert r.status_code == 200, r.text
    assert r.json()["counted"] is True and r.json()["till"]["expected"] == "1500.00"
    till = w.current(who)  # the withdrawal: counted by the hub's own reading
    assert till["expected"] == "1380.00"
    # the teller who kept the 380.00 does not close balanced alone
    r = w.close(who, THOUSAND)
    assert r.status_code == 422 and r.json()["code"] == "reason_required", r.text
    r = w.close(who, {"note_100": 13, "note_50": 1, "note_20": 1, "note_10": 1})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "closed" and r.json()["expected"] == "1380.00"
    rep = w.report(who, till["id"])
    assert sorted((o["kind"], o["amount"], o["payment_guid"]) for o in rep["operations"]) == \
        sorted([("deposit", "500.00", dep), ("withdrawal", "120.00", wd)])
    assert {o["customer_guid"] for o in rep["operations"]} == {cust}


def test_a_confirmed_payment_unlike_its_authorization_is_set_aside_by_a_cosign(
        world: World, sandbox: SandboxProcess) -> None:
    """Never skipped: the close without a reason names it, the desk's report is refused,
    nothing counted; with a reason a supervisor co-signs the close without it (the till no
    longer stays open for ever), an audit row naming it; the teller opens the next day."""
    w = world
    who = w.new_teller("T-odd-amount")
    _, account = customer(sandbox, w.b0)
    dep = w.confirmed(who, account, "40.00")
    # what DCM confirmed is not what the hub authorized (a record behind the hub's back)
    execute(w.hub, "UPDATE cash_authorizations SET amount_minor = 4500 WHERE payment_guid = :g",
            g=dep)
    r = w.report_op(who, dep)
    assert r.status_code == 409 and r.json()["code"] == "confirmed_mismatch", r.text
    r = w.close(who, THOUSAND)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "confirmed_mismatch" and dep in r.json()["error"], r.text
    assert "45.00" in r.json()["error"] and "40" in r.json()["error"], r.text
    till = w.current(who)
    assert till["state"] == "open" and till["expected"] == "1000.00"
    assert [a["payment_guid"] for a in till["set_aside"]] == [dep]
    _set_aside_and_cosigned(w, who, till["id"], dep, "deposit", "45.00", "40")


def _set_aside_and_cosigned(w: World, who: dict[str, str], till_id: str, guid: str,
                            kind: str, authorized: str, confirmed: str) -> None:
    """The close with a reason waits for the co-sign naming ``guid``; the supervisor's
    co-sign closes it without that payment, an audit row naming it; the teller opens again."""
    r = w.close(who, THOUSAND, reason="DCM confirmed another amount")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["state"] == "close_cosign" and out["expected"] == "1000.00", r.text
    assert out["over_short"] == "0.00" and len(out["set_aside"]) == 1, r.text
    item = out["set_aside"][0]
    assert (item["payment_guid"], item["kind"], item["authorized"]) == \
        (guid, kind, authorized), r.text
    assert confirmed in item["confirmed"], r.text
    r = w.http.post(f"/api/v1/tills/{till_id}/close-cosign", headers=who,
                    json={"counted": "1000.00"})
    assert r.status_code == 403, r.text  # never the till's own teller
    r = w.http.post(f"/api/v1/tills/{till_id}/close-cosign", headers=w.sup,
                    json={"counted": "1000.00"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "closed" and r.json()["expected"] == "1000.00", r.text
    assert [a["payment_guid"] for a in r.json()["set_aside"]] == [guid], r.text
    assert w.report(who, till_id)["operations"] == []
    r = w.http.get("/api/v1/audit", headers=w.admin,
                   params={"actor": w.sup_email, "action": "till", "newest_first": True})
    assert r.status_code == 200, r.text
    rows = [e for e in r.json()["entries"] if e["entity"] == f"payment:{guid}"]
    assert len(rows) == 1, r.text
    detail = rows[0]["detail"]
    assert detail["event"] == "till_set_aside" and detail["till_id"] == till_id, detail
    assert detail["authorized"] == authorized and detail["kind"] == kind, detail
    assert detail["reason"] == "DCM confirmed another amount", detail
    w.open(who, "T-after-" + till_id[:8])  # the teller is free to open a till again


def test_a_draft_voided_at_a_close_is_not_counted_in_the_next_session(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    who = w.new_teller("T-next")
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "30.00")
    w.authorize(who, guid, "check")
    r = w.close(who, THOUSAND)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "closed" and r.json()["voided_at_close"] == [guid]
    confirm(sandbox, w.b0, guid)  # on DCM around the hub, after the close
    second = w.open(who, "T-next")
    r = w.report_op(who, guid)
    assert r.status_code == 409 and r.json()["code"] == "voided", r.text
    # without its void it is still the first session's authorization, never the second's
    execute(w.hub, "DELETE FROM cash_voids WHERE payment_guid = :g", g=guid)
    r = w.report_op(who, guid)
    assert r.status_code == 409 and r.json()["code"] == "other_till_session", r.text
    assert w.current(who)["expected"] == "1000.00"
    assert w.report(who, second["id"])["operations"] == []


def test_confirmed_cash_in_another_asset_than_the_tills_now_is_set_aside_by_a_cosign(
        world: World, sandbox: SandboxProcess) -> None:
    """Hryvnia authorized on the till and confirmed after the tills' currency became EUR (a
    break-glass policy change) is never counted as euros and never skipped: the close without
    a reason is refused naming it; with one a supervisor co-signs the close without it."""
    w = world
    who = w.new_teller("T-asset")
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "15.00")
    w.authorize(who, guid)
    got = w.http.get("/api/v1/policy", headers=w.admin).json()["policy"]
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}
    r = w.http.put("/api/v1/policy", headers=it, json={**got, "cash_currency": "EUR"})
    assert r.status_code == 200, r.text
    try:
        confirm(sandbox, w.b0, guid)
        r = w.close(who, THOUSAND)
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "confirmed_mismatch" and guid in r.json()["error"], r.text
        till = w.current(who)
        assert till["expected"] == "1000.00"
        _set_aside_and_cosigned(w, who, till["id"], guid, "deposit", "15.00", "not EUR")
    finally:
        r = w.http.put("/api/v1/policy", headers=it, json=got)
        assert r.status_code == 200, r.text
