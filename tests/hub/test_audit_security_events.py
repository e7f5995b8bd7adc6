"""The hub writes its own security events into the audit chain (SQLite and PostgreSQL): sign-in
successes, failures and throttling with the e-mail and client address, sign-outs, employees
added by the admin API, customer secrets issued and imported (external ids and counts, never a
secret), decisions refused (once a minute per refusal, not once per request), and every write
the Mode B proxy forwards to DCM (method, operation, GUID, body SHA-256, DCM's status).
Real sandbox and hub over HTTP."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_helpers import new_customer, start_fe_hub
from hub_proc import PASSWORD, HubProc, add_employee, branches, sign_in, unique_email

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.signin_throttle import FREE_PER_EMAIL
from tests.phones import unused_phone

# its own number: the hub refuses a new customer's phone another customer holds (one
# per number), and the sandbox is shared with other tests
PHONE = unused_phone()


@dataclass
class World:
    hub: HubProc
    http: httpx.Client
    b0: str
    b1: str
    admin: dict[str, str]  # a head-office Administrator: reads the whole trail


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("audit-events"), sandbox, hub_db,
                       TELLER_HUB_WATCH="0")
    b0, b1 = branches(sandbox)[:2]
    try:
        with hub.client() as http:
            admin = sign_in(http, add_employee(http, hub, roles=["Administrator"],
                                               head_office=True))
            yield World(hub, http, b0, b1, admin)
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def _address() -> str:
    """A client address of its own (uvicorn takes X-Forwarded-For from 127.0.0.1)."""
    n = uuid.uuid4().int
    return f"10.{n % 250 + 1}.{n // 250 % 250 + 1}.{n // 62500 % 250 + 1}"


def trail(w: World, **params: Any) -> list[dict[str, Any]]:
    r = w.http.get("/api/v1/audit", headers=w.admin, params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["entries"])


def _password_sign_in(w: World, email: str, password: str, address: str) -> httpx.Response:
    return w.http.post("/api/v1/sessions", headers={"X-Forwarded-For": address},
                       json={"mode": "password", "email": email, "password": password})


def test_sign_ins_failures_and_sign_out_are_in_the_audit(world: World) -> None:
    w = world
    email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    where = _address()
    assert _password_sign_in(w, email, "not the password", where).status_code == 401
    nobody = unique_email("nobody")
    assert _password_sign_in(w, nobody, "whatever it is", where).status_code == 401
    ok = _password_sign_in(w, email, PASSWORD, where)
    assert ok.status_code == 200, ok.text
    token = ok.json()["token"]
    assert w.http.delete("/api/v1/sessions", headers={
        "Authorization": f"Bearer {token}", "X-Forwarded-For": where}).status_code == 200

    mine = trail(w, actor=email)
    assert [e["action"] for e in mine] == ["sign_in_failed", "sign_in", "sign_out"]
    assert {e["desk_id"] for e in mine} == {"hub"}  # written by the hub itself
    assert {e["branch_guid"] for e in mine} == {w.b0}  # the branch's supervisors see them
    failed, signed_in, signed_out = mine
    assert failed["detail"] == {"mode": "password", "address": where,
                                "refusal": "wrong_password"}
    assert signed_in["detail"] == {"mode": "password", "address": where, "source": "hub"}
    assert signed_out["detail"]["address"] == where
    # an e-mail naming nobody may be a password typed in the wrong field: not written down
    unknown = [e for e in trail(w, action="sign_in_failed") if e["entity"] == f"address:{where}"
               and e["detail"]["refusal"] == "unknown_employee"]
    assert len(unknown) == 1 and unknown[0]["actor"] == ""
    assert unknown[0]["branch_guid"] is None
    assert nobody not in json.dumps(trail(w))
    # the admin API's employee: who, roles, branch; never the password
    added = [e for e in trail(w, action="employee_added")
             if e["entity"] == f"employee:{email}"]
    assert len(added) == 1 and added[0]["actor"] == "admin"
    assert added[0]["detail"] == {"employee": email, "roles": ["Teller"], "head_office": False}
    assert added[0]["branch_guid"] == w.b0
    assert PASSWORD not in json.dumps(trail(w))


def test_throttled_sign_ins_are_audited_once_a_minute_not_once_a_request(world: World) -> None:
    w = world
    email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    where = _address()
    for i in range(FREE_PER_EMAIL):
        assert _password_sign_in(w, email, f"guess {i}", where).status_code == 401
    for i in range(6):  # a flood of throttled guesses
        assert _password_sign_in(w, email, f"more {i}", where).status_code == 429
    actions = [e["action"] for e in trail(w, actor=email)]
    assert actions == ["sign_in_failed"] * FREE_PER_EMAIL + ["sign_in_throttled"]
    throttled = trail(w, actor=email, action="sign_in_throttled")[0]
    assert throttled["detail"] == {"mode": "password", "address": where}
    assert throttled["entity"] == f"address:{where}"


def test_secrets_issued_and_imported_are_audited_without_the_secret(world: World) -> None:
    w = world
    teller_email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    teller = sign_in(w.http, teller_email)
    external_id = "aud-" + uuid.uuid4().hex[:10]
    r = w.http.post("/api/v1/secrets", headers=teller,
                    json={"external_id": external_id, "branch_guid": w.b0,
                          "first_name": "Ірина", "phone": PHONE})
    assert r.status_code == 200 and r.json()["created"] is True, r.text
    issued = [e for e in trail(w, action="secret_issued")
              if e["detail"].get("external_id") == external_id]
    assert len(issued) == 1
    assert issued[0]["actor"] == teller_email and issued[0]["branch_guid"] == w.b0
    assert issued[0]["detail"] == {"external_id": external_id, "kind": "customer"}
    # the same external id again: nothing issued, nothing recorded
    assert w.http.post("/api/v1/secrets", headers=teller, json={
        "external_id": external_id, "branch_guid": w.b0}).json()["created"] is False
    assert len([e for e in trail(w, action="secret_issued")
                if e["detail"].get("external_id") == external_id]) == 1
    items = [{"external_id": external_id, "branch_guid": w.b0},
             {"external_id": "aud-" + uuid.uuid4().hex[:10], "branch_guid": w.b1}]
    r = w.http.post("/api/v1/admin/secrets/import", json={"items": items},
                    headers={"Authorization": f"Bearer {w.hub.admin_token}"})
    assert r.status_code == 200 and r.json() == {"created": 1, "existing": 1}, r.text
    imported = trail(w, action="secrets_imported")[-1]
    assert imported["actor"] == "admin"
    assert imported["detail"] == {"created": 1, "existing": 1, "items": 2}
    assert "Ірина" not in json.dumps(trail(w)) and PHONE not in json.dumps(trail(w))


def test_refused_decisions_are_audited_and_a_flood_adds_one_row(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    teller_email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    teller = sign_in(w.http, teller_email)
    sup_email = add_employee(w.http, w.hub, roles=["Supervisor"], branch_guid=w.b0)
    sup = sign_in(w.http, sup_email)
    other_email = add_employee(w.http, w.hub, roles=["Supervisor"], branch_guid=w.b1)
    other = sign_in(w.http, other_email)
    r = w.http.post("/api/v1/requests", headers=teller, json={
        "kind": "customer_update", "customer_guid": new_customer(sandbox, w.b0),
        "change": {"is_disabled": True}, "reason": "refusal test"})
    assert r.status_code == 201, r.text
    req = r.json()
    url = f"/api/v1/requests/{req['id']}"

    assert w.http.post(f"{url}/approve", headers=teller,
                       json={"sha256": req["sha256"]}).status_code == 403  # the maker
    assert w.http.post(f"{url}/approve", headers=other,
                       json={"sha256": req["sha256"]}).status_code == 404  # another branch
    for _ in range(6):  # a flood of the same refusal
        r = w.http.post(f"{url}/approve", headers=sup,
                        json={"sha256": "0" * 64, "desk_id": "desk-7"})
        assert r.status_code == 409
    assert w.http.post(f"{url}/reject", headers=sup,
                       json={"comment": "no", "sha256": "0" * 64}).status_code == 409
    missing = str(uuid.uuid4())
    assert w.http.post(f"/api/v1/requests/{missing}/approve", headers=sup,
                       json={"sha256": "0" * 64}).status_code == 404

    refused = trail(w, action="decision_refused")
    assert not [e for e in refused if e["entity"] == f"request:{missing}"]
    mine = [(e["actor"], e["detail"]["attempt"], e["detail"]["refusal"],
             e["detail"]["http_status"]) for e in refused
            if e["entity"] == f"request:{req['id']}"]
    assert mine == [(teller_email, "approve", "not_checker", 403),
                    (other_email, "approve", "not_visible", 404),
                    (sup_email, "approve", "hash_mismatch", 409),
                    (sup_email, "reject", "hash_mismatch", 409)]
    assert {e["branch_guid"] for e in refused if e["entity"] == f"request:{req['id']}"} == {w.b0}
    # the request is still pending: nothing was decided
    assert w.http.get(url, headers=sup).json()["state"] == "pending"


def test_a_proxied_write_is_audited_with_its_body_hash_and_dcm_status(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    teller_email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    teller = sign_in(w.http, teller_email)
    guid = new_customer(sandbox, w.b0)
    body = {"name": "Олена"}
    path = f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{guid}"
    assert w.http.get(path, headers=teller).status_code == 200  # a read: not audited
    r = w.http.put(path, headers=teller, json=body)
    assert r.status_code == 200, r.text
    rows = [e for e in trail(w, action="proxy_write") if e["actor"] == teller_email]
    assert len(rows) == 2  # written ahead ("sent"), then DCM's answer ("answered")
    for row in rows:
        assert row["entity"] == f"customer:{guid}" and row["branch_guid"] == w.b0
    common = {"method": "PUT", "kind": "customer_update", "target_guid": guid,
              "body_sha256": hashlib.sha256(json.dumps(body).encode()).hexdigest()}
    assert sorted((r["detail"] for r in rows), key=lambda d: d["event"] != "sent") == [
        {**common, "event": "sent"}, {**common, "event": "answered", "dcm_status": 200}]
