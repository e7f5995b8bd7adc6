"""The hub confirms an approved over-limit cash withdrawal, DCM holds the confirm past the
hub's write deadline (the request is "in doubt", approved still), and DCM then fails the
payment (the ``confirm-failed-status`` dialect: the customer spent the money meanwhile, so
the late confirm is refused and the draft is FAILED, final). The hub's reading of DCM ends
the request failed at once (not applied, not in doubt until the grace), records the draft
FAILED (``cash_failed``) before any till read does, and the till neither counts it nor holds
it back, and closes. Real sandbox and hub (SQLite and PostgreSQL); the held confirm is a
forwarder in front of DCM (``held_confirm``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from failed_drafts import drain, rich, sandbox_fixture
from fe_db import scalar
from fe_helpers import wait_for
from held_confirm import held_confirms
from hub_proc import branches
from staffed_hub import Staffed, staffed_hub
from till_helpers import _client, _run, customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess

sandbox = sandbox_fixture()  # this module's platform fails a refused confirm for good
DESK = "desk-doubt"
GRACE_S = 120  # how long the hub would wait on a draft still CREATED: far past this test


def _spend(sandbox: SandboxProcess, account: str, to: str, amount: str) -> None:
    async def run() -> None:
        async with _client(sandbox) as dcm:
            await drain(dcm, account, to, amount)
    _run(run())


def _authorize(w: Staffed, guid: str) -> dict[str, Any]:
    r = w.http.post("/api/v1/cash/authorize", headers=w.teller, json={"payment_guid": guid})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _approved(w: Staffed, customer_guid: str, guid: str, amount: str) -> dict[str, Any]:
    """The teller files the draft's confirm, the supervisor approves it: the request as the
    approval answered."""
    filed = w.http.post("/api/v1/requests", headers=w.teller, json={
        "kind": "cash_confirm", "customer_guid": customer_guid, "reason": "cash out",
        "change": {"payment_guid": guid, "amount": amount, "branch_guid": w.b0}})
    assert filed.status_code == 201, filed.text
    decided = w.http.post(f"/api/v1/requests/{filed.json()['id']}/approve", headers=w.sup,
                          json={"sha256": filed.json()["sha256"]})
    assert decided.status_code == 200, decided.text
    return dict(decided.json())


def test_a_held_hub_confirm_that_dcm_then_fails_ends_failed_and_frees_the_till(
        hub_db: str | None, sandbox: SandboxProcess, tmp_path: Path) -> None:
    b0 = branches(sandbox)[0]
    cust, cust_account = rich(sandbox, b0, "16000.00")
    other_account = rich(sandbox, b0, "7000.00")[1]
    payee = customer(sandbox, b0)[1]
    big = draft(sandbox, b0, cust_account, "15000.00", "withdrawal")
    later = draft(sandbox, b0, other_account, "6000.00", "withdrawal")
    with held_confirms(sandbox) as (url, gate), staffed_hub(
            tmp_path / "hub", sandbox, hub_db, TELLER_HUB_DCM_URL=url, TELLER_HUB_WATCH="0",
            TELLER_HUB_EXECUTION_STALE_S="2", TELLER_HUB_IN_DOUBT_GRACE_S=str(GRACE_S)) as w:
        w.http.timeout = 60  # the approval answers after the hub's write deadline
        w.teller = {**w.teller, "X-Desk-ID": DESK}  # the teller's one desk
        w.open_till("T-doubt", {"note_1000": 20}, DESK)  # 20 000.00
        assert _authorize(w, big)["decision"] == "needs_approval"
        held = _authorize(w, later)  # 15 000.00 of the 20 000.00 set aside
        assert (held["decision"], held["reasons"]) == ("refuse", ["till_short"]), held
        req = _approved(w, cust, big, "15000.00")
        # no answer within the hub's deadline: in doubt, approved still
        assert gate.held.is_set() and status(sandbox, big) == "CREATED"
        assert req["state"] == "approved" and req["result"].startswith("in doubt"), req
        _spend(sandbox, cust_account, payee, "2000.00")  # 14 000.00 left
        gate.release.set()  # DCM now runs the confirm: refused, the draft FAILED
        assert gate.forwarded.wait(30)
        assert status(sandbox, big) == "FAILED"

        def ended() -> dict[str, Any] | None:
            got = w.http.get(f"/api/v1/requests/{req['id']}", headers=w.teller).json()
            return got if got["state"] != "approved" else None

        final = wait_for(ended, timeout=GRACE_S / 4)  # well inside the grace
        assert final["state"] == "failed", final
        assert "DCM failed the payment" in final["result"], final
        # recorded FAILED by the executor: no till has been read since
        assert scalar(w.hub, "SELECT count(*) FROM cash_failed WHERE payment_guid = :g",
                      g=big) == 1
        freed = _authorize(w, later)  # the 15 000.00 is held back no more
        assert freed["decision"] == "allow", freed
        till = w.http.get("/api/v1/tills/current", headers=w.teller).json()
        assert till["expected"] == "20000.00", till  # nothing counted
        closed = w.http.post("/api/v1/tills/current/close", headers=w.teller,
                             json={"counts": {"note_1000": 20}})
        assert closed.status_code == 200, closed.text  # not kept open by it
        out = closed.json()
        assert (out["state"], out["over_short"]) == ("closed", "0.00"), out
        assert out["voided_at_close"] == [later], out  # left behind; not the FAILED one
        voids = w.http.get("/api/v1/cash/voids", headers=w.teller,
                           params={"payment_guid": big}).json()
        assert voids["voids"] == [], voids
