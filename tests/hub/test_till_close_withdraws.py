"""A draft left behind at a till's close, waiting in the supervisors' queue (a ``cash_confirm``
request over the threshold): the close voids the draft and its request leaves the queue in
the same transaction. It used to be withdrawn after the close had committed, with only a
warning in the log when that failed: a dead request could stay queued. Seen in the audit
chain: the withdrawal is written before the close, not after it. Real hub and sandbox."""

from __future__ import annotations

from typing import Any

from test_till_outstanding import FIVE_HUNDRED, World, world
from till_helpers import customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess

__all__ = ["world"]  # the module's hub (a fixture of test_till_outstanding)


def _entries(w: World, who: dict[str, str], actor: str) -> list[dict[str, Any]]:
    r = w.http.get("/api/v1/audit", headers=who, params={"actor": actor, "limit": 1000})
    assert r.status_code == 200, r.text
    return list(r.json()["entries"])


def test_the_close_withdraws_a_left_draft_request_with_its_void(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    email, teller = w.teller()
    till = w.open(teller, "T-queue", FIVE_HUNDRED)
    cust, account = customer(sandbox, w.b0)
    big = draft(sandbox, w.b0, account, "15000.00")
    assert w.authorize(teller, big)["decision"] == "needs_approval"
    r = w.post("/api/v1/requests", teller, kind="cash_confirm", customer_guid=cust,
               reason="over threshold",
               change={"payment_guid": big, "amount": "15000.00", "branch_guid": w.b0})
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    r = w.close(teller, FIVE_HUNDRED)
    assert r.status_code == 200, r.text
    assert r.json()["voided_at_close"] == [big] and status(sandbox, big) == "CREATED"
    req = w.http.get(f"/api/v1/requests/{request_id}", headers=w.sup).json()
    assert req["state"] == "withdrawn", req
    pending = w.http.get("/api/v1/requests", headers=w.sup, params={"state": "pending"}).json()
    assert request_id not in [x["id"] for x in pending["requests"]]
    # the withdrawal was committed with the void, before the close (not after it)
    entries = _entries(w, w.sup, email)
    seq_of = {e["entity"]: e["seq"] for e in entries}  # the newest entry of each entity
    withdrawn = [e["seq"] for e in entries if e["entity"] == f"request:{request_id}"
                 and e["detail"].get("withdrawn")]
    assert len(withdrawn) == 1, entries
    assert withdrawn[0] < seq_of[f"till:{till['id']}"], entries
