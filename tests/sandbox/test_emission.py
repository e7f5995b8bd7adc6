"""Identifier issue / burn: reserve rule, one open request, officer confirm/cancel, history."""

from __future__ import annotations

from sandbox_api import ADMIN, SUPER_KYIV, TELLER_KYIV, Api


def test_issue_burn_lifecycle(fresh_api: Api) -> None:
    api = fresh_api
    issuer = api.m["asset"]["issuer"]
    body = {"asset_code": "UAH", "asset_issuer": issuer}
    assert api.post("emission/issue", TELLER_KYIV, json={**body, "amount": 1}).status_code == 403
    assert api.get("emission/history", SUPER_KYIV).status_code == 200
    # issued so far: 10 000 000.00; the reserve must cover issued - burned + X
    low = api.post("emission/issue", json={**body, "amount": 100, "reserve_balance": 10_000_099})
    assert low.json() == {"error": "reserve balance condition is not met"}
    ok = api.post("emission/issue", json={**body, "amount": 100, "reserve_balance": 10_000_100})
    assert (ok.status_code, ok.json()) == (200, {})
    second = api.post("emission/burn", json={**body, "amount": 1, "reserve_balance": 10**8})
    assert second.json() == {"error": "emission request already in created status"}
    hist = api.get("emission/history", params={"status": "created"}).json()
    assert hist["total"] == 1
    req = hist["history"][0]
    assert req["direction"] == "issue" and req["requested_amount"] == 100
    assert api.conservation()["issued"] == 11_000_000  # both banks
    sim = api.http.post(f"/__sim/emission/{req['guid']}/confirm", headers=api.sim)
    assert sim.status_code == 200
    done = api.get("emission/history", params={"guids": req["guid"]}).json()["history"][0]
    assert done["status"] == "confirmed" and len(done["issuer_payment_hash"]) == 64
    assert done["balance"]["reserve_balance_amount"] == 10_000_100
    state = api.conservation()
    assert state["issued"] == 11_000_100 and state["conserved"]
    # burn: cancel one, then burn for real
    assert api.post("emission/burn", json={**body, "amount": 50, "reserve_balance": 10_000_050}
                    ).status_code == 200
    open_req = api.get("emission/history", params={"status": "created"}).json()["history"][0]
    assert api.http.post(f"/__sim/emission/{open_req['guid']}/cancel",
                         headers=api.sim).status_code == 200
    assert api.http.post(f"/__sim/emission/{open_req['guid']}/confirm",
                         headers=api.sim).status_code == 400
    too_much = api.post("emission/burn", json={**body, "amount": 10**9, "reserve_balance": 0})
    assert too_much.status_code == 400
    # auto mode (switched by the simulator admin) confirms at once
    api.http.post(f"/__sim/counterparty/{api.cp}", headers=api.sim, json={"auto_burn": True})
    assert api.post("emission/burn", json={**body, "amount": 50, "reserve_balance": 10_000_050}
                    ).status_code == 200
    state = api.conservation()
    assert (state["issued"], state["burned"], state["conserved"]) == (11_000_100, 50, True)
    burns = api.get("emission/history", params={"direction": "burn", "status": "confirmed"})
    assert burns.json()["total"] == 1
    # Mode B: always auto-confirmed
    jwt_issue = api.post("emission/issue", f"jwt:{ADMIN}",
                         json={**body, "amount": 1, "reserve_balance": 10**9})
    assert jwt_issue.status_code == 200
    assert api.get("emission/history", params={"status": "created"}).json()["total"] == 0
