"""The bank's own settings under four eyes (audit finding: one head-office Administrator
turned every check off alone). A policy or cash-limits change that relaxes a control is a
request another head-office Administrator approves; the hub applies it itself (no DCM
session needed), only onto the document it was filed against. A tightening applies at
once; IT's admin token is the audited break glass. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_helpers import (
    ADMIN,
    SseReader,
    new_customer,
    platform_session,
    platform_token,
    start_fe_hub,
)
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import policy
from teller_app.hub.canon import canonical, sha256_hex

CHECKS_OFF = {"is_disabled": False, "sensitive_statuses": [], "kyc_down": False,
              "balance_allowed_up": False, "all_customer_updates": False,
              "phone_number": False, "branch_move": False, "cash_threshold": "99999999"}


@dataclass
class World:
    hub: HubProc
    http: httpx.Client
    b0: str
    teller: dict[str, str]
    ho_admin: dict[str, str]
    ho_admin_email: str
    ho_admin2: dict[str, str]
    ho_admin2_email: str
    ho_sup: dict[str, str]
    branch_admin: dict[str, str]
    it: dict[str, str]  # the admin token: break glass

    def policy(self) -> dict[str, Any]:
        return dict(self.http.get("/api/v1/policy", headers=self.teller).json()["policy"])

    def limits(self) -> dict[str, Any]:
        return dict(self.http.get("/api/v1/cash/limits", headers=self.teller).json())

    def needs(self, change: dict[str, Any], customer: str) -> list[str]:
        r = self.http.post("/api/v1/policy/evaluate", headers=self.teller, json={
            "kind": "customer_update", "change": change, "customer_guid": customer})
        assert r.status_code == 200, r.text
        return list(r.json()["reasons"])

    def decide(self, request_id: str, verb: str, headers: dict[str, str],
               **body: Any) -> httpx.Response:
        return self.http.post(f"/api/v1/requests/{request_id}/{verb}", headers=headers,
                              json=body)

    def trail(self, entity: str) -> list[dict[str, Any]]:
        entries = self.http.get("/api/v1/audit", headers=self.ho_admin,
                                params={"limit": 1000}).json()["entries"]
        return [e for e in entries if e["entity"] == entity]


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("settings-hub"), sandbox, hub_db)
    b0 = branches(sandbox)[0]
    try:
        with hub.client() as http:
            def person(roles: list[str], **where: Any) -> tuple[str, dict[str, str]]:
                email = add_employee(http, hub, roles=roles, **where)
                return email, sign_in(http, email)

            admin1, admin2 = (person(["Administrator"], head_office=True) for _ in range(2))
            yield World(hub, http, b0, person(["Teller"], branch_guid=b0)[1],
                        admin1[1], admin1[0], admin2[1], admin2[0],
                        person(["Supervisor"], head_office=True)[1],
                        person(["Administrator"], branch_guid=b0)[1],
                        {"Authorization": f"Bearer {hub.admin_token}"})
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def test_relaxing_the_policy_waits_for_a_second_head_office_admin(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    got = w.policy()
    guid = new_customer(sandbox, w.b0)
    stream = SseReader(w.hub.base_url, w.ho_admin2)
    try:
        r = w.http.put("/api/v1/policy", headers=w.ho_admin, json={**got, **CHECKS_OFF},
                       params={"reason": "year-end migration"})
        assert r.status_code == 202, r.text
        rid = r.json()["request_id"]
        assert {"is_disabled", "sensitive_statuses", "cash_threshold", "phone_number"} <= \
            set(r.json()["relaxes"])
        filed = stream.wait(lambda e: e["kind"] == "request.filed" and e["request_id"] == rid)
        assert filed["request_kind"] == "policy_update"
    finally:
        stream.close()
    assert w.policy() == got  # nothing took effect
    assert w.needs({"is_disabled": True}, guid) == ["is_disabled"]
    cp = sandbox.counterparty_guid
    put = w.http.put(f"/dcm/api/v1/counterparty/{cp}/customers/{guid}", headers=w.teller,
                     json={"is_disabled": True})
    assert put.status_code == 403, put.text  # the proxy still holds the policy in force

    req = w.http.get(f"/api/v1/requests/{rid}", headers=w.ho_admin2).json()
    assert req["kind"] == "policy_update" and req["state"] == "pending"
    assert req["maker"] == w.ho_admin_email and req["reason"] == "year-end migration"
    # filed in the stored form (a field at its default left out: older processes read it)
    assert req["before"] == policy.Policy.model_validate(got).stored()
    assert req["change"]["cash_threshold"] == "99999999.00"
    assert req["sha256"] == sha256_hex(canonical(req["change"]))
    pending = w.http.get("/api/v1/requests", headers=w.ho_admin2,
                         params={"state": "pending"}).json()["requests"]
    assert rid in [p["id"] for p in pending]
    assert w.http.get(f"/api/v1/requests/{rid}", headers=w.branch_admin).status_code == 404
    for who, code in ((w.ho_admin, "maker"), (w.ho_sup, "head_office_only")):
        r = w.decide(rid, "approve", who, sha256=req["sha256"])
        assert r.status_code == 403, r.text
        assert code in r.text
    assert w.policy() == got

    r = w.decide(rid, "approve", w.ho_admin2, sha256=req["sha256"])  # no platform session
    try:
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "applied"
        assert w.policy()["is_disabled"] is False
        assert w.policy()["cash_threshold"] == "99999999.00"
        assert w.needs({"is_disabled": True}, guid) == []
        steps = [e["action"] for e in w.trail(f"request:{rid}")]
        assert steps == ["request", "decision_refused", "decision_refused", "decision",
                         "execution"], steps  # the two refused approvals are audited too
        saved = [e for e in w.trail("policy") if e["detail"].get("request_id") == rid]
        assert len(saved) == 1 and saved[0]["actor"] == w.ho_admin2_email
        assert saved[0]["detail"]["maker"] == w.ho_admin_email
    finally:  # back: a tightening, so it applies at once
        back = w.http.put("/api/v1/policy", headers=w.ho_admin, json=got)
        assert back.status_code == 200, back.text
    assert w.policy() == got


def test_a_tightening_applies_at_once_and_a_stale_request_never_lands(world: World) -> None:
    w = world
    got = w.policy()
    r = w.http.put("/api/v1/policy", headers=w.ho_admin, json={**got, "cash_threshold": "500"})
    assert r.status_code == 200 and r.json()["policy"]["cash_threshold"] == "500.00", r.text
    looser = {**w.policy(), "kyc_down": False}
    first = w.http.put("/api/v1/policy", headers=w.ho_admin, json=looser)
    again = w.http.put("/api/v1/policy", headers=w.ho_admin, json=looser)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["request_id"] == again.json()["request_id"]  # a re-send: one request
    assert first.json()["relaxes"] == ["kyc_down"]
    tighter = w.http.put("/api/v1/policy", headers=w.ho_admin2,
                         json={**w.policy(), "kyc_up": True})
    assert tighter.status_code == 200, tighter.text
    req = first.json()["request"]
    r = w.decide(req["id"], "approve", w.ho_admin2, sha256=req["sha256"])
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    assert "changed after this request was filed" in r.json()["result"]
    assert w.policy()["kyc_down"] is True and w.policy()["kyc_up"] is True  # nothing undone
    # break glass: IT's admin token restores the defaults at once, audited as such
    r = w.http.put("/api/v1/policy", headers=w.it, json=got)
    assert r.status_code == 200, r.text
    assert w.policy() == got
    last = w.trail("policy")[-1]
    assert last["actor"] == "admin" and last["detail"]["break_glass"] is True
    assert last["detail"]["relaxes"] == ["kyc_up", "cash_threshold"]


def test_cash_limits_raise_is_filed_rejected_withdrawn_or_approved(world: World) -> None:
    w = world
    limits = w.limits()
    raised = {**limits, "teller_daily_limit": "900000.00"}
    r = w.http.put("/api/v1/cash/limits", headers=w.ho_admin, json=raised)
    assert r.status_code == 202 and r.json()["relaxes"] == ["teller_daily_limit"], r.text
    rid = r.json()["request_id"]
    assert w.limits() == limits
    assert w.decide(rid, "approve", w.branch_admin,
                    sha256=r.json()["request"]["sha256"]).status_code == 404
    r = w.decide(rid, "reject", w.ho_admin2, comment="no reason given")
    assert r.status_code == 200 and r.json()["state"] == "rejected", r.text
    assert w.limits() == limits

    off = w.http.put("/api/v1/cash/limits", headers=w.ho_admin,
                     json={**limits, "customer_daily_threshold": "0"})  # 0: no limit at all
    assert off.status_code == 202 and off.json()["relaxes"] == ["customer_daily_threshold"]
    r = w.decide(off.json()["request_id"], "withdraw", w.ho_admin)
    assert r.status_code == 200 and r.json()["state"] == "withdrawn", r.text

    lower = {**limits, "teller_unapproved_daily": "15000.00"}
    assert w.http.put("/api/v1/cash/limits", headers=w.ho_admin, json=lower).status_code == 200
    assert w.limits() == lower
    r = w.http.put("/api/v1/cash/limits", headers=w.ho_admin2, json=limits)  # back up: filed
    assert r.status_code == 202, r.text
    req = r.json()["request"]
    assert req["kind"] == "cash_limits_update" and req["before"] == lower
    done = w.decide(req["id"], "approve", w.ho_admin, sha256=req["sha256"])
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert w.limits() == limits


def test_a_platform_admin_approves_without_a_platform_session(
        world: World, sandbox: SandboxProcess) -> None:
    """Mode A: the hub's own settings touch no DCM, so no session_token is asked for."""
    w = world
    got = w.policy()
    r = w.http.put("/api/v1/policy", headers=w.ho_admin, json={**got, "segment": True})
    assert r.status_code == 200, r.text  # segment on: stricter
    r = w.http.put("/api/v1/policy", headers=w.ho_admin, json=got)
    assert r.status_code == 202, r.text
    req = r.json()["request"]
    mode_a = platform_session(w.http, platform_token(sandbox, ADMIN))
    done = w.decide(req["id"], "approve", mode_a, sha256=req["sha256"])
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert done.json()["checker"] == ADMIN and w.policy() == got
