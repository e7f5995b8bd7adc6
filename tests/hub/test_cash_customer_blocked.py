"""A customer whose status is "blocked" or "closed" gets no cash at the hub (audit: a
supervisor set "blocked" — the desk's four-eyes "Blocking" — and a teller still withdrew 100
through ``/cash/authorize``; DCM ignores ``status``, only ``is_disabled`` stops payments
there). Every cash decision refuses it with ``customer_blocked``, in and out: the preview,
``/cash/authorize`` (check and confirm), a ``cash_confirm`` filing and the Mode-B proxy's
confirm; each refusal of a draft is in the hub's audit. The list is the policy's
``sensitive_statuses``. Real sandbox and hub over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from staffed_hub import Staffed, staffed_hub
from till_helpers import confirm, customer, draft, set_customer_status, status

from teller_app.core.embedded_sandbox import SandboxProcess

DESK = "desk-blocked"


@dataclass
class World(Staffed):
    sandbox: SandboxProcess

    def post(self, path: str, who: dict[str, str], **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**who, "X-Desk-ID": DESK}, json=body)

    def authorize(self, guid: str, purpose: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"payment_guid": guid}
        if purpose:
            body["purpose"] = purpose
        r = self.post("/api/v1/cash/authorize", self.teller, **body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def preview(self, kind: str, customer_guid: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "amount": "100.00"}
        if customer_guid:
            body["customer_guid"] = customer_guid
        r = self.post("/api/v1/cash/preview", self.teller, **body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def set_status(self, customer_guid: str, value: str) -> None:
        set_customer_status(self.sandbox, customer_guid, value)

    def refusals(self, payment_guid: str) -> list[dict[str, Any]]:
        """The hub's audit rows of this draft's cash refusals, oldest first."""
        found: list[dict[str, Any]] = []
        after: int | None = 0
        while after is not None:
            page = self.http.get("/api/v1/audit", headers=self.admin, params={
                "limit": 1000, "action": ["cash"], "after_seq": after}).json()
            found += [e for e in page["entries"] if e["entity"] == f"payment:{payment_guid}"
                      and e["detail"].get("event") == "cash_refused"]
            after = page["next_after_seq"]
        return found


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("cash-blocked-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), sandbox=sandbox)
        w.open_till("T-blocked", {"note_500": 20}, DESK)
        yield w


def _funded_customer(w: World) -> tuple[str, str]:
    """(customer, account) holding 1000.00, status "active"."""
    cust, account = customer(w.sandbox, w.b0)
    dep = draft(w.sandbox, w.b0, account, "1000.00")
    assert w.authorize(dep)["decision"] == "allow"
    confirm(w.sandbox, w.b0, dep)
    return cust, account


def test_a_blocked_customer_gets_no_cash_in_or_out(world: World) -> None:
    w = world
    cust, account = _funded_customer(w)
    wd = draft(w.sandbox, w.b0, account, "100.00", kind="withdrawal")
    assert w.authorize(wd)["decision"] == "allow"  # active: the teller's own decision
    w.set_status(cust, "blocked")  # the supervisor's "Blocking"
    for purpose in (None, "confirm"):  # at create, and right before the confirm
        refused = w.authorize(wd, purpose)
        assert (refused["decision"], refused["reasons"]) == ("refuse", ["customer_blocked"])
        assert refused["customer_status"] == "blocked" and refused["payment_guid"] == wd
    dep = draft(w.sandbox, w.b0, account, "50.00")  # a deposit is refused too
    assert w.authorize(dep)["reasons"] == ["customer_blocked"]
    for kind in ("deposit", "withdrawal"):  # the dialog's verdict before any draft exists
        assert w.preview(kind, cust)["reasons"] == ["customer_blocked"]
    assert w.preview("withdrawal", None)["decision"] == "allow"  # no customer named
    assert status(w.sandbox, wd) == "CREATED"
    # the hub's own audit rows: who asked, which draft, the customer's status
    rows = w.refusals(wd)
    assert [r["detail"]["via"] for r in rows] == ["authorize", "authorize_confirm"]
    assert all(r["actor"] == w.teller_email and r["desk_id"] == "hub"
               and r["branch_guid"] == w.b0 for r in rows)
    assert rows[0]["detail"] | {"via": "-"} == {
        "event": "cash_refused", "refusal": "customer_blocked", "via": "-",
        "payment_guid": wd, "customer_guid": cust, "customer_status": "blocked",
        "kind": "withdrawal", "amount": "100.00"}
    w.authorize(wd)  # the same refusal again within the minute adds no row
    assert len(w.refusals(wd)) == 2
    # read as a person would: "Closed " is the policy's "closed"
    w.set_status(cust, "Closed ")
    assert w.authorize(wd, "confirm")["reasons"] == ["customer_blocked"]
    w.set_status(cust, "active")  # lifted: the draft goes ahead
    assert w.authorize(wd, "confirm")["decision"] == "allow"
    confirm(w.sandbox, w.b0, wd)
    assert status(w.sandbox, wd) == "CONFIRMED"


def test_the_proxy_confirms_no_cash_of_a_blocked_customer(world: World) -> None:
    """Mode B: a draft authorized before the block, confirmed through ``/dcm`` after it
    (a desk or a script that skipped the refused ``/cash/authorize``): refused, audited."""
    w = world
    cust, account = _funded_customer(w)
    wd = draft(w.sandbox, w.b0, account, "100.00", kind="withdrawal")
    assert w.authorize(wd)["decision"] == "allow"
    w.set_status(cust, "blocked")
    path = (f"/dcm/api/v1/counterparty/{w.sandbox.counterparty_guid}/branch/{w.b0}"
            "/payments/confirm")
    r = w.http.post(path, headers=w.sup, json={"payment_guid": wd})
    assert r.status_code == 403 and "customer_blocked" in r.json()["error"], r.text
    assert status(w.sandbox, wd) == "CREATED"
    rows = w.refusals(wd)
    assert [(r["actor"], r["detail"]["via"], r["detail"]["authorized_by"]) for r in rows] == [
        ("teller-hub", "dcm_proxy", w.teller_email)]
    w.set_status(cust, "active")
    r = w.http.post(path, headers=w.sup, json={"payment_guid": wd})
    assert r.status_code == 200, r.text
    assert status(w.sandbox, wd) == "CONFIRMED"


def test_no_cash_request_is_filed_for_a_blocked_customer(world: World) -> None:
    w = world
    cust, account = customer(w.sandbox, w.b0)
    big = draft(w.sandbox, w.b0, account, "15000.00")
    assert w.authorize(big)["decision"] == "needs_approval"
    w.set_status(cust, "blocked")
    r = w.post("/api/v1/requests", w.teller, kind="cash_confirm", customer_guid=cust,
               reason="cash in", change={"payment_guid": big, "amount": "15000.00"})
    assert r.status_code == 409 and r.json()["code"] == "customer_blocked", r.text
    assert [x["detail"]["via"] for x in w.refusals(big)] == ["cash_request"]
    filed = w.http.get("/api/v1/requests", headers=w.sup, params={"customer_guid": cust})
    assert filed.status_code == 200 and filed.json()["requests"] == [], filed.text


def test_an_approved_request_confirms_no_cash_of_a_customer_blocked_since(
        world: World) -> None:
    """Filed while the customer was active, approved after a block: the hub's execution
    reads the status again and sends no confirm (the approval judged an active customer)."""
    w = world
    cust, account = customer(w.sandbox, w.b0)
    big = draft(w.sandbox, w.b0, account, "15000.00")
    assert w.authorize(big)["decision"] == "needs_approval"
    r = w.post("/api/v1/requests", w.teller, kind="cash_confirm", customer_guid=cust,
               reason="cash in", change={"payment_guid": big, "amount": "15000.00",
                                         "branch_guid": w.b0})
    assert r.status_code == 201, r.text
    w.set_status(cust, "blocked")
    done = w.post(f"/api/v1/requests/{r.json()['id']}/approve", w.sup,
                  sha256=r.json()["sha256"])
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "failed", done.text
    assert "status stops cash" in done.json()["result"]
    assert status(w.sandbox, big) == "CREATED"
    assert [x["detail"]["via"] for x in w.refusals(big)] == ["approved_request"]


def test_the_policy_names_the_statuses_that_stop_cash(world: World) -> None:
    w = world
    cust, account = customer(w.sandbox, w.b0)
    dep = draft(w.sandbox, w.b0, account, "10.00")
    w.set_status(cust, "frozen")  # not in the default list: cash goes ahead
    assert w.authorize(dep)["decision"] == "allow"
    doc = w.http.get("/api/v1/policy", headers=w.admin).json()["policy"]
    doc["sensitive_statuses"] = [*doc["sensitive_statuses"], "Frozen"]  # a tightening
    r = w.http.put("/api/v1/policy", headers=w.admin, json=doc)
    assert r.status_code == 200, r.text
    assert w.authorize(dep)["reasons"] == ["customer_blocked"]
    assert w.preview("deposit", cust)["reasons"] == ["customer_blocked"]
