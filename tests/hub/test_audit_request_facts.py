"""A request's and a decision's audit rows say what was asked and decided (VQA): the change
itself (field and new value, or the cash amount), its kind and the customer's GUID (the
trail's Customer column), beside the change's hash; the chain still verifies with these
rows after the older ones. Real sandbox and hub over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import shared_hubs
from cash_request_helpers import authorized_cash_draft
from fe_helpers import ADMIN, new_customer, put_customer
from hub_proc import HubProc

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.customer_drift import STALE_PREFIX

shared, main_hub = shared_hubs.fixtures("auditfacts", TELLER_HUB_WATCH="0")


def _rows(hub: HubProc, headers: dict[str, str], rid: str) -> dict[str, dict[str, Any]]:
    """The request's audit rows by action (request, decision)."""
    with hub.client() as c:
        entries = c.get("/api/v1/audit", headers=headers,
                        params={"limit": 1000}).json()["entries"]
    return {e["action"]: e for e in entries if e["entity"] == f"request:{rid}"}


def test_request_and_decision_rows_carry_the_change_and_the_customer(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    rejected = shared_hubs.file_change(main_hub, teller, guid, {"segment": "vip"}, "VIP")
    approved = shared_hubs.file_change(main_hub, teller, guid, {"kyc_level": 1}, "KYC")
    with main_hub.client() as c:
        r = c.post(f"/api/v1/requests/{rejected['id']}/reject", headers=sup,
                   json={"comment": "no contract"})
        assert r.status_code == 200, r.text
        r = c.post(f"/api/v1/requests/{approved['id']}/approve", headers=sup,
                   json={"sha256": approved["sha256"]})
        assert r.status_code == 200, r.text
    for req, change, decision in ((rejected, {"segment": "vip"}, "rejected"),
                                  (approved, {"kyc_level": 1}, "approved")):
        rows = _rows(main_hub, sup, req["id"])
        filed, decided = rows["request"]["detail"], rows["decision"]["detail"]
        assert filed["change"] == change and filed["customer_guid"] == guid, filed
        assert decided["decision"] == decision, decided
        assert decided["change"] == change, decided
        assert decided["customer_guid"] == guid and decided["kind"] == "customer_update"
        assert decided["sha256"] == req["sha256"]  # as before: the hash stays
    with main_hub.client() as c:
        verdict = c.get("/api/v1/audit/verify", headers=sup).json()
    assert verdict["ok"] is True, verdict


def test_a_cash_request_row_carries_its_amount(main_hub: HubProc,
                                               sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    with main_hub.client() as http:
        cust, payment = authorized_cash_draft(http, teller, sup, sandbox, b0, "12000.00")
        r = http.post("/api/v1/requests", headers=teller, json={
            "kind": "cash_confirm", "customer_guid": cust, "reason": "cash in",
            "change": {"payment_guid": payment, "amount": "12000.00"}})
        assert r.status_code == 201, r.text
        req = r.json()
        r = http.post(f"/api/v1/requests/{req['id']}/reject", headers=sup,
                      json={"comment": "not confirmed by the customer"})
        assert r.status_code == 200, r.text
    rows = _rows(main_hub, sup, req["id"])
    for action in ("request", "decision"):
        detail = rows[action]["detail"]
        assert detail["change"]["amount"] == "12000.00", detail
        assert detail["change"]["payment_guid"] == payment
        assert detail["customer_guid"] == cust and detail["kind"] == "cash_confirm"


def test_a_withdrawal_row_names_the_customer_and_the_change(main_hub: HubProc,
                                                            sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "withdraw")
    with main_hub.client() as c:
        r = c.post(f"/api/v1/requests/{req['id']}/withdraw", headers=teller, json={})
        assert r.status_code == 200, r.text
        entries = c.get("/api/v1/audit", headers=sup, params={"limit": 1000}).json()["entries"]
    [withdrawn] = [e["detail"] for e in entries if e["entity"] == f"request:{req['id']}"
                   and e["detail"].get("withdrawn")]
    assert withdrawn["customer_guid"] == guid and withdrawn["change"] == {"is_disabled": True}


def test_a_limit_asked_alone_keeps_its_currency_in_the_rows(main_hub: HubProc,
                                                           sandbox: SandboxProcess) -> None:
    """The trail words a limit in the customer's currency at filing, which the request's own
    ``before`` keeps; only that currency goes to the rows, not the rest of the record."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    asset = sandbox.manifest["asset"]
    guid = new_customer(sandbox, b0, balance_asset_code=asset["code"],
                        balance_asset_issuer=asset["issuer"])
    req = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "500"}, "limit")
    with main_hub.client() as c:
        kept = c.get(f"/api/v1/requests/{req['id']}", headers=sup).json()["before"]
        r = c.post(f"/api/v1/requests/{req['id']}/reject", headers=sup, json={"comment": "no"})
        assert r.status_code == 200, r.text
    assert kept["balance_asset_code"] == asset["code"]  # what the hub kept at filing
    rows = _rows(main_hub, sup, req["id"])
    for action in ("request", "decision"):
        detail = rows[action]["detail"]
        assert detail["before"] == {"balance_asset_code": kept["balance_asset_code"]}, detail
    # a withdrawal's row the same
    again = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "600"}, "more")
    with main_hub.client() as c:
        r = c.post(f"/api/v1/requests/{again['id']}/withdraw", headers=teller, json={})
        assert r.status_code == 200, r.text
    assert _rows(main_hub, sup, again["id"])["request"]["detail"]["before"] == {
        "balance_asset_code": asset["code"]}
    # a limit that names its currency, or no limit, carries no ``before``
    named = shared_hubs.file_change(main_hub, teller, guid, {
        "balance_allowed": "700", "balance_asset_code": asset["code"],
        "balance_asset_issuer": asset["issuer"]}, "named")
    other = shared_hubs.file_change(main_hub, teller, guid, {"segment": "vip"}, "segment")
    for req in (named, other):
        assert "before" not in _rows(main_hub, sup, req["id"])["request"]["detail"]


def test_an_ended_limits_execution_row_keeps_its_currency(main_hub: HubProc,
                                                         sandbox: SandboxProcess) -> None:
    """A limit asked alone that another desk moved meanwhile ends "failed" ("changed since
    filing", which names the limit): that execution row keeps the currency at filing too, so
    the trail words the moved limit in it (it said the amounts alone)."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    asset = sandbox.manifest["asset"]
    guid = new_customer(sandbox, b0, balance_asset_code=asset["code"],
                        balance_asset_issuer=asset["issuer"])
    req = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "500"}, "limit")
    put_customer(sandbox, ADMIN, guid, balance_allowed="900")  # another desk, directly
    with main_hub.client() as c:
        r = c.post(f"/api/v1/requests/{req['id']}/approve", headers=sup,
                   json={"sha256": req["sha256"]})
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    ended = _rows(main_hub, sup, req["id"])["execution"]["detail"]
    assert ended["result"].startswith(STALE_PREFIX), ended
    assert ended["before"] == {"balance_asset_code": asset["code"]}, ended
    # the maker's event says it too: their desk words the moved limit in it
    with main_hub.client() as c:
        told = c.get("/api/v1/events/list", headers=teller, params={"limit": 500}).json()
    [failed] = [e for e in told["events"]
                if e["kind"] == "request.failed" and e.get("request_id") == req["id"]]
    assert failed["before"] == {"balance_asset_code": asset["code"]}, failed
