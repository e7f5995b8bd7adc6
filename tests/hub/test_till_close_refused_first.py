"""A close the hub refuses whatever becomes of the till's drafts (a vault transfer waiting for
a supervisor, a difference without a reason) voids nothing: the till stays open and a
customer's draft in progress can still be confirmed. It used to void the drafts left behind
in a transaction of its own before finding the refusal. The teller's current till names the
transfers that wait (the desk says so before the count), and no longer once decided. Real
hub and sandbox, SQLite and PostgreSQL."""

from __future__ import annotations

from test_till_outstanding import FIVE_HUNDRED, World, world
from till_helpers import customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess

__all__ = ["world"]  # the module's hub (a fixture of test_till_outstanding)


def _voids_of(w: World, who: dict[str, str], guid: str) -> list[object]:
    r = w.http.get("/api/v1/cash/voids", headers=who, params={"payment_guid": guid})
    assert r.status_code == 200, r.text
    return list(r.json()["voids"])


def test_a_refused_close_leaves_a_draft_in_progress_unvoided(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, teller = w.teller()
    w.open(teller, "T-first", FIVE_HUNDRED)
    _, account = customer(sandbox, w.b0)
    left = draft(sandbox, w.b0, account, "25.00")  # checked on the till, not confirmed yet
    assert w.authorize(teller, left)["decision"] == "allow"
    r = w.post("/api/v1/tills/current/transfers", teller, direction="to_till", amount="100.00")
    assert r.status_code == 200, r.text
    transfer = r.json()["id"]
    r = w.close(teller, FIVE_HUNDRED)
    assert r.status_code == 409 and r.json()["code"] == "transfer_pending", r.text
    assert _voids_of(w, teller, left) == []
    r = w.post(f"/api/v1/transfers/{transfer}/reject", w.sup, desk=None, comment="not today")
    assert r.status_code == 200, r.text
    # a difference without a reason is refused before any void too
    r = w.close(teller, {"note_100": 4})
    assert r.status_code == 422 and r.json()["code"] == "reason_required", r.text
    assert _voids_of(w, teller, left) == []
    assert w.http.get("/api/v1/tills/current", headers=teller).json()["state"] == "open"
    assert status(sandbox, left) == "CREATED"
    # the teller's draft in progress may still be confirmed on the open till
    r = w.post("/api/v1/cash/authorize", teller, payment_guid=left, purpose="confirm")
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text


def test_the_current_till_names_its_transfers_waiting_for_a_supervisor(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, teller = w.teller()
    till = w.open(teller, "T-waits", FIVE_HUNDRED)
    assert "pending_transfers" not in till  # the other answers keep their shape
    assert w.http.get("/api/v1/tills/current",
                      headers=teller).json()["pending_transfers"] == []
    r = w.post("/api/v1/tills/current/transfers", teller, direction="to_vault",
               amount="200.00")
    assert r.status_code == 200, r.text
    filed = r.json()
    listed = w.http.get("/api/v1/tills/current", headers=teller).json()["pending_transfers"]
    assert [(t["id"], t["direction"], t["amount"], t["state"], t["created_at"])
            for t in listed] == [(filed["id"], "to_vault", "200.00", "pending",
                                  filed["created_at"])]
    r = w.post(f"/api/v1/transfers/{filed['id']}/approve", w.sup, desk=None)
    assert r.status_code == 200, r.text
    current = w.http.get("/api/v1/tills/current", headers=teller).json()
    assert current["pending_transfers"] == [] and current["expected"] == "300.00"
