"""The hub confirms an approved over-limit cash draft and DCM answers after the hub's write
deadline (a slow platform that still applies it): the request is not "failed" but in doubt
(approved still: the draft cannot be voided), and the hub settles it by reading DCM — applied
once DCM shows it CONFIRMED, counted in the till, and no "unapproved cash" alert. Real
sandbox and hub (SQLite and PostgreSQL); the late confirm is a forwarder in front of DCM
that holds a confirm until the test releases it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cash_request_helpers import authorized_cash_draft
from fe_helpers import start_fe_hub, wait_for
from held_confirm import HeldConfirm, held_confirms
from hub_proc import add_employee, branches, sign_in
from till_helpers import status

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture()
def held(sandbox: SandboxProcess) -> Iterator[tuple[str, HeldConfirm]]:
    with held_confirms(sandbox) as served:
        yield served


def test_a_late_confirm_is_in_doubt_then_applied_by_reading(
        hub_db: str | None, sandbox: SandboxProcess, held: tuple[str, HeldConfirm],
        tmp_path: Any) -> None:
    url, gate = held
    hub = start_fe_hub(tmp_path / "hub", sandbox, hub_db, TELLER_HUB_DCM_URL=url,
                       TELLER_HUB_WATCH="0", TELLER_HUB_EXECUTION_STALE_S="2",
                       TELLER_HUB_IN_DOUBT_GRACE_S="120")
    try:
        b0 = branches(sandbox)[0]
        with hub.client() as http:
            http.timeout = 60
            t_email = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            teller = {**sign_in(http, t_email), "X-Desk-ID": "desk-cash"}
            sup = {**sign_in(http, add_employee(http, hub, roles=["Supervisor"],
                                                branch_guid=b0)), "X-Desk-ID": "desk-sup"}
            cust, guid = authorized_cash_draft(http, teller, sup, sandbox, b0, "12000.00")
            req = http.post("/api/v1/requests", headers=teller, json={
                "kind": "cash_confirm", "customer_guid": cust, "reason": "big",
                "change": {"payment_guid": guid, "amount": "12000.00", "branch_guid": b0}})
            assert req.status_code == 201, req.text
            r = http.post(f"/api/v1/requests/{req.json()['id']}/approve", headers=sup,
                          json={"sha256": req.json()["sha256"]})
            assert r.status_code == 200, r.text
            assert gate.held.is_set() and status(sandbox, guid) == "CREATED"
            # no answer within the hub's deadline: not known, so neither failed nor voidable
            assert r.json()["state"] == "approved", r.json()
            assert r.json()["result"].startswith("in doubt"), r.json()
            v = http.post("/api/v1/cash/void", headers=teller,
                          json={"payment_guid": guid, "reason": "the hub said failed"})
            assert v.status_code == 409, v.text
            gate.release.set()  # DCM applies it, late
            assert gate.forwarded.wait(30)
            assert status(sandbox, guid) == "CONFIRMED"

            def settled() -> dict[str, Any] | None:
                got = http.get(f"/api/v1/requests/{req.json()['id']}", headers=teller).json()
                return got if got["state"] != "approved" else None

            final = wait_for(settled, timeout=30.0)
            assert final["state"] == "applied", final
            till = http.get("/api/v1/tills/current", headers=teller).json()
            assert till["expected"] == "17000.00", till  # 5000 opened + the 12000 deposit
            alerts = http.get("/api/v1/alerts", headers=sup).json()["alerts"]
            assert [a for a in alerts if guid in str(a)] == []
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
