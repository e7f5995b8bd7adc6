"""Four-eyes on the hub (issue 10): requests are immutable commands; exactly one of racing
approvers wins; the hub executes exactly the stored change on DCM (Mode B with its key,
Mode A with the approver's session token); events reach the other desk live.
Runs on SQLite and PostgreSQL (``hub_db``)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cash_request_helpers import authorized_cash_draft
from fe_helpers import (
    ADMIN,
    SseReader,
    dcm_employee,
    new_customer,
    payment_status,
    platform_session,
    platform_token,
    put_customer,
    read_customer,
)
from hub_proc import add_employee, branches, sign_in
from staffed_hub import Staffed, staffed_hub

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.canon import canonical, sha256_hex
from teller_app.platform import PermissionDenied


@dataclass
class World(Staffed):
    sup2: dict[str, str]  # a second supervisor of branch 0
    sup_b1: dict[str, str]  # a supervisor of branch 1


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("fe-hub"), sandbox, hub_db) as staff:
        http, hub = staff.http, staff.hub
        sup2 = add_employee(http, hub, roles=["Supervisor"], branch_guid=staff.b0)
        sup_b1 = add_employee(http, hub, roles=["Supervisor"], branch_guid=staff.b1)
        yield World(**staff.fields(), sup2=sign_in(http, sup2), sup_b1=sign_in(http, sup_b1))


def file(w: World, customer: str, change: dict[str, Any], headers: dict[str, str] | None = None,
         **extra: Any) -> dict[str, Any]:
    r = w.http.post("/api/v1/requests", headers=headers or w.teller, json={
        "kind": "customer_update", "customer_guid": customer, "change": change,
        "reason": "customer asked", **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def approve(w: World, req: dict[str, Any], headers: dict[str, str] | None = None,
            **extra: Any) -> httpx.Response:
    return w.http.post(f"/api/v1/requests/{req['id']}/approve", headers=headers or w.sup,
                       json={"sha256": req["sha256"], **extra})


def test_request_approve_applied_seen_live(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    sup_stream = SseReader(w.hub.base_url, w.sup)
    teller_stream = SseReader(w.hub.base_url, w.teller)
    try:
        req = file(w, guid, {"is_disabled": True, "status": "blocked"})
        assert req["state"] == "pending" and req["maker"] == w.teller_email
        assert req["change_json"] == canonical({"is_disabled": True, "status": "blocked"})
        assert req["sha256"] == sha256_hex(req["change_json"])
        assert {"is_disabled", "status"} <= set(req["policy_reasons"])
        assert req["before"]["is_disabled"] is False and req["before"]["status"] == "active"
        filed = sup_stream.wait(lambda e: e["kind"] == "request.filed"
                                and e["request_id"] == req["id"])
        assert filed["maker"] == w.teller_email
        inbox = w.http.get("/api/v1/requests", params={"state": "pending"}, headers=w.sup).json()
        assert req["id"] in [r["id"] for r in inbox["requests"]]
        r = approve(w, req)
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "applied" and r.json()["checker"] == w.sup_email
        on_dcm = read_customer(sandbox, guid)
        assert on_dcm.is_disabled is True and on_dcm.status == "blocked"
        teller_stream.wait(lambda e: e["kind"] == "request.applied"
                           and e["request_id"] == req["id"])
    finally:
        sup_stream.close()
        teller_stream.close()
    trail = w.http.get("/api/v1/audit", headers=w.admin).json()["entries"]
    mine = [e for e in trail if e["entity"] == f"request:{req['id']}"]
    assert [e["action"] for e in mine] == ["request", "decision", "execution"]
    assert {e["desk_id"] for e in mine} == {"hub"}  # written by the hub itself
    forged = w.http.post("/api/v1/audit", headers=w.teller, json={
        "desk_id": "hub", "entries": [{"action": "decision", "entity": f"request:{req['id']}"}]})
    assert forged.status_code == 422


def test_cash_over_threshold_confirmed_by_the_hub(world: World, sandbox: SandboxProcess) -> None:
    w = world
    teller = sign_in(w.http, add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0))
    customer, payment = authorized_cash_draft(w.http, teller, w.sup, sandbox, w.b0, "12000.00")
    r = w.http.post("/api/v1/requests", headers=teller, json={
        "kind": "cash_confirm", "customer_guid": customer, "reason": "cash in",
        "change": {"payment_guid": payment, "amount": "12000.00", "branch_guid": w.b0}})
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["policy_reasons"] == ["cash_over_threshold"]
    assert payment_status(sandbox, payment).endswith("CREATED")
    done = approve(w, req)
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert payment_status(sandbox, payment).endswith("CONFIRMED")


def test_reject_and_then_nothing_applies(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    req = file(w, guid, {"kyc_level": 0})
    r = w.http.post(f"/api/v1/requests/{req['id']}/reject", headers=w.sup,
                    json={"comment": "no documents"})
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    assert r.json()["comment"] == "no documents"
    assert approve(w, req, w.sup2).status_code == 409
    assert read_customer(sandbox, guid).kyc_level == 2


def test_withdraw_by_maker_only(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    req = file(w, guid, {"balance_allowed": "5000"})
    assert w.http.post(f"/api/v1/requests/{req['id']}/withdraw",
                       headers=w.sup).status_code == 403
    r = w.http.post(f"/api/v1/requests/{req['id']}/withdraw", headers=w.teller)
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert approve(w, req).status_code == 409
    assert str(read_customer(sandbox, guid).balance_allowed) in ("1000", "1000.00", "1000.0")


def test_self_approval_and_wrong_deciders_refused(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    own = file(w, guid, {"is_disabled": True}, headers=w.sup)
    r = approve(w, own, w.sup)
    assert r.status_code == 403 and "maker" in r.json()["error"]
    req = file(w, guid, {"is_disabled": True})
    assert approve(w, req, w.teller).status_code == 403  # a teller cannot decide
    assert approve(w, req, w.sup_b1).status_code == 404  # another branch does not see it
    assert w.http.get(f"/api/v1/requests/{req['id']}", headers=w.sup_b1).status_code == 404
    assert read_customer(sandbox, guid).is_disabled is False
    assert w.http.get(f"/api/v1/requests/{req['id']}",
                      headers=w.sup).json()["state"] == "pending"


def test_changed_after_view_is_refused(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    req = file(w, guid, {"is_disabled": True})
    shown = sha256_hex(canonical({"kyc_level": 0, "balance_allowed": "99999999"}))
    r = w.http.post(f"/api/v1/requests/{req['id']}/approve", headers=w.sup,
                    json={"sha256": shown})
    assert r.status_code == 409 and "differs" in r.json()["error"]
    got = w.http.get(f"/api/v1/requests/{req['id']}", headers=w.sup).json()
    assert got["state"] == "pending" and got["checker"] is None
    assert read_customer(sandbox, guid).is_disabled is False


def test_probe_rewrite_under_same_id_impossible(world: World, sandbox: SandboxProcess) -> None:
    """The review's probe: the teller rewrote the request under the same id after the
    supervisor's inbox showed "disable". Filed requests are immutable."""
    w = world
    guid = new_customer(sandbox, w.b0)
    rid = str(uuid.uuid4())
    req = file(w, guid, {"is_disabled": True}, id=rid)
    assert req["id"] == rid
    again = w.http.post("/api/v1/requests", headers=w.teller, json={
        "id": rid, "kind": "customer_update", "customer_guid": guid,
        "change": {"kyc_level": 0, "balance_allowed": "99999999", "segment": "vip"}})
    assert again.status_code == 409
    retry = w.http.post("/api/v1/requests", headers=w.teller, json={
        "id": rid, "kind": "customer_update", "customer_guid": guid,
        "change": {"is_disabled": True}, "reason": "customer asked"})
    assert retry.status_code == 200 and retry.json()["sha256"] == req["sha256"]
    for method in ("PUT", "PATCH", "DELETE"):
        r = w.http.request(method, f"/api/v1/requests/{rid}", headers=w.teller,
                           json={"change": {"kyc_level": 0}})
        assert r.status_code == 405
    r = approve(w, req)
    assert r.status_code == 200 and r.json()["state"] == "applied"
    on_dcm = read_customer(sandbox, guid)
    assert on_dcm.is_disabled is True and on_dcm.kyc_level == 2
    assert str(on_dcm.balance_allowed) != "99999999" and on_dcm.segment != "vip"


def test_probe_forged_decision_impossible(world: World, sandbox: SandboxProcess) -> None:
    """The review's probe: a teller-made marker blocked a real supervisor's decision. On the
    hub a decision exists only as the checker's own authenticated call."""
    w = world
    guid = new_customer(sandbox, w.b0)
    req = file(w, guid, {"status": "closed"})
    forged = w.http.post(f"/api/v1/requests/{req['id']}/reject", headers=w.teller,
                         json={"comment": "already decided by supervisor"})
    assert forged.status_code == 403
    extra = w.http.post(f"/api/v1/requests/{req['id']}/approve", headers=w.sup,
                        json={"sha256": req["sha256"], "checker": "someone@else"})
    assert extra.status_code == 422
    maker = w.http.post("/api/v1/requests", headers=w.teller, json={
        "kind": "customer_update", "customer_guid": guid, "change": {"status": "closed"},
        "maker": w.sup_email})
    assert maker.status_code == 422
    r = w.http.post(f"/api/v1/requests/{req['id']}/reject", headers=w.sup,
                    json={"comment": "not now"})
    assert r.status_code == 200 and r.json()["checker"] == w.sup_email


def test_probe_zero_width_status_needs_approval(world: World) -> None:
    # a status disguised by an invisible character is refused outright (the one-line rule)
    r = world.http.post("/api/v1/policy/evaluate", headers=world.teller, json={
        "kind": "customer_update", "change": {"status": "blocked\u200b"},
        "current": {"status": "active"}})
    assert r.status_code == 422 and "status" in r.text, r.text
    r = world.http.post("/api/v1/policy/evaluate", headers=world.teller, json={
        "kind": "customer_update", "change": {"status": "active"},
        "current": {"status": " Blocked "}})
    assert r.json()["needs_approval"] is True  # from blocked, too


def test_policy_defaults_evaluate_and_admin_only_edit(world: World) -> None:
    w = world

    def needs(kind: str, change: dict[str, Any], current: dict[str, Any] | None = None) -> bool:
        r = w.http.post("/api/v1/policy/evaluate", headers=w.teller,
                        json={"kind": kind, "change": change, "current": current})
        assert r.status_code == 200, r.text
        return bool(r.json()["needs_approval"])

    cur = {"kyc_level": 2, "balance_allowed": "1000", "status": "active", "is_disabled": False}
    assert needs("customer_update", {"kyc_level": 1}, cur)
    assert not needs("customer_update", {"kyc_level": 3}, cur)
    assert needs("customer_update", {"balance_allowed": "1000.01"}, cur)
    assert not needs("customer_update", {"balance_allowed": "999"}, cur)
    assert not needs("customer_update", {"name": "Олена"}, cur)
    assert needs("cash_confirm", {"payment_guid": "p1", "amount": "10000.01"})
    assert not needs("cash_confirm", {"payment_guid": "p1", "amount": "10000.00"})
    got = w.http.get("/api/v1/policy", headers=w.teller).json()["policy"]
    assert got["cash_threshold"] == "10000.00" and "blocked" in got["sensitive_statuses"]
    assert w.http.put("/api/v1/policy", headers=w.sup, json=got).status_code == 403
    try:
        r = w.http.put("/api/v1/policy", headers=w.admin, json={**got, "cash_threshold": "500"})
        assert r.status_code == 200 and r.json()["policy"]["cash_threshold"] == "500.00"
        assert needs("cash_confirm", {"payment_guid": "p1", "amount": "600"})
        trail = w.http.get("/api/v1/audit", headers=w.admin, params={"action": "policy"})
        assert trail.json()["entries"][-1]["detail"]["cash_threshold"] == "500.00"
    finally:
        w.http.put("/api/v1/policy", headers=w.admin, json=got)


@pytest.mark.slow
def test_fifty_rounds_of_racing_approvers(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    clients = [w.hub.client(), w.hub.client()]
    try:
        with ThreadPoolExecutor(2) as pool:
            for n in range(50):
                req = file(w, guid, {"name": f"Ірина {n}"})
                gate = threading.Barrier(2)

                def go(i: int, req: dict[str, Any] = req, gate: threading.Barrier = gate
                       ) -> int:
                    gate.wait()
                    return clients[i].post(
                        f"/api/v1/requests/{req['id']}/approve", headers=[w.sup, w.sup2][i],
                        json={"sha256": req["sha256"]}).status_code

                codes = sorted(pool.map(go, (0, 1)))
                assert codes == [200, 409], (n, codes)
                got = w.http.get(f"/api/v1/requests/{req['id']}", headers=w.sup).json()
                assert got["state"] == "applied"
    finally:
        for c in clients:
            c.close()
    assert read_customer(sandbox, guid).name == "Ірина 49"


def test_mode_a_approval_with_the_approvers_platform_token(world: World,
                                                           sandbox: SandboxProcess) -> None:
    """Mode A: both desks signed in with DCM; the hub executes with the approver's token."""
    w = world
    teller = platform_session(w.http, platform_token(sandbox, "teller.kyiv@demo.bank"))
    sup_token = platform_token(sandbox, "supervisor.kyiv@demo.bank")
    sup = platform_session(w.http, sup_token)
    guid = new_customer(sandbox, branches(sandbox)[0])
    req = file(w, guid, {"is_disabled": True}, headers=teller)
    assert req["maker"] == "teller.kyiv@demo.bank"
    assert approve(w, req, sup).status_code == 422  # no token: nothing decided
    wrong = platform_token(sandbox, "teller.kyiv@demo.bank")
    assert approve(w, req, sup, session_token=wrong).status_code == 403
    r = approve(w, req, sup, session_token=sup_token)
    assert r.status_code == 200 and r.json()["state"] == "applied", r.text
    assert read_customer(sandbox, guid).is_disabled is True
    assert sup_token not in w.hub.log()


def test_guessed_approver_tokens_are_throttled(world: World, sandbox: SandboxProcess) -> None:
    """Mode A: a made-up platform token at approve counts against the approver's e-mail like
    a wrong password (each costs DCM a whoami): after the sign-in limit, 429, and the
    supervisor's own token is refused too while the e-mail is locked."""
    w = world
    b0 = branches(sandbox)[0]
    email, password = dcm_employee(sandbox, ["Supervisor"], b0)
    sup_token = platform_token(sandbox, email, password)
    sup = platform_session(w.http, sup_token)
    teller = platform_session(w.http, platform_token(sandbox, "teller.kyiv@demo.bank"))
    req = file(w, new_customer(sandbox, b0), {"is_disabled": True}, headers=teller)
    codes = [approve(w, req, sup, session_token=f"guess-{n}-{uuid.uuid4().hex}").status_code
             for n in range(8)]
    assert set(codes[:5]) == {401} and codes[-1] == 429, codes
    assert approve(w, req, sup, session_token=sup_token).status_code == 429
    assert read_customer(sandbox, req["customer_guid"]).is_disabled is False


def test_mode_a_role_without_put_is_preventive(world: World, sandbox: SandboxProcess) -> None:
    """Mode A, a teller role without customers PUT: DCM refuses the direct change, so the
    only way is a request on the hub, which a supervisor approves and the hub applies."""
    w = world
    r = httpx.post(f"{sandbox.base_url}/api/v1/counterparty/{sandbox.counterparty_guid}/roles",
                   headers={"Authorization": f"bearer {platform_token(sandbox, ADMIN)}"},
                   json={"role_name": "Cashier"}, timeout=10)  # a bank's own role, no PUT
    assert r.status_code in (200, 201, 409) or "exist" in r.text, r.text
    email, password = dcm_employee(sandbox, ["Cashier"], w.b0)
    guid = new_customer(sandbox, w.b0)
    with pytest.raises(PermissionDenied):
        put_customer(sandbox, email, guid, password, kyc_level=0)
    maker = platform_session(w.http, platform_token(sandbox, email, password))
    req = file(w, guid, {"kyc_level": 0}, headers=maker)
    assert req["maker"] == email and req["policy_reasons"] == ["kyc_down"]
    assert approve(w, req).json()["state"] == "applied"
    assert read_customer(sandbox, guid).kyc_level == 0


def test_mode_a_direct_change_raises_alert(world: World, sandbox: SandboxProcess) -> None:
    """Detective control: a Mode-A teller with customers PUT changes DCM directly; the hub's
    watcher raises "changed without approval" for the branch supervisors."""
    w = world
    guid = new_customer(sandbox, w.b0)
    approved = new_customer(sandbox, w.b0)
    stream = SseReader(w.hub.base_url, w.sup)
    try:
        # the watcher must know both customers before they change
        from fe_helpers import wait_for
        wait_for(lambda: _snapshotted(w, guid) and _snapshotted(w, approved), timeout=20)
        req = file(w, approved, {"is_disabled": True})
        assert approve(w, req).json()["state"] == "applied"
        put_customer(sandbox, "teller.kyiv@demo.bank", guid, status="blocked\u200b")
        alert = stream.wait(lambda e: e["kind"] == "alert.unapproved_change"
                            and e["customer_guid"] == guid, timeout=20)
        assert "status" in alert["fields"] and alert["reasons"] == ["status"]
    finally:
        stream.close()
    listed = w.http.get("/api/v1/alerts", headers=w.sup).json()["alerts"]
    assert guid in [a["customer_guid"] for a in listed]
    assert approved not in [a["customer_guid"] for a in listed]
    assert w.http.get("/api/v1/alerts", headers=w.teller).status_code == 403
    mine = next(a for a in listed if a["customer_guid"] == guid)
    r = w.http.post(f"/api/v1/alerts/{mine['id']}/ack", headers=w.sup, json={"comment": "ok"})
    assert r.status_code == 200


def _snapshotted(w: World, guid: str) -> bool:
    """Whether the watcher has a snapshot of the customer (read through the test-only probe
    of the database: the hub has no endpoint for it)."""
    from fe_db import scalar
    return bool(scalar(w.hub, "SELECT COUNT(*) FROM customer_snapshots WHERE customer_guid = :g",
                       g=guid))


def test_sse_resumes_from_last_event_id(world: World, sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    first = SseReader(w.hub.base_url, w.sup)
    try:
        a = file(w, guid, {"kyc_level": 1})
        seen = first.wait(lambda e: e.get("request_id") == a["id"])
    finally:
        first.close()
    b = file(w, guid, {"kyc_level": 0})  # while nobody listens
    c = file(w, guid, {"kyc_level": 3})
    again = SseReader(w.hub.base_url, w.sup, last_event_id=seen["id"])
    try:
        again.wait(lambda e: e.get("request_id") == c["id"])
        ids = [e["request_id"] for e in again.events if e["kind"] == "request.filed"]
        assert ids[:2] == [b["id"], c["id"]] and a["id"] not in ids
        numbers = [e["id"] for e in again.events]
        assert numbers == sorted(numbers) and min(numbers) > seen["id"]
    finally:
        again.close()
    listed = w.http.get("/api/v1/events/list", params={"after": seen["id"]},
                        headers=w.sup).json()
    assert [e["request_id"] for e in listed["events"]][:2] == [b["id"], c["id"]]
    assert w.http.get("/api/v1/events/list", headers=w.sup_b1,
                      params={"after": seen["id"]}).json()["events"] == []
