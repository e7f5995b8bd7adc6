"""Till work waiting for a supervisor is live: ``till.waiting`` goes to the branch's
supervisors when a teller files a vault transfer, an opening or a close waits for a co-sign,
or a vault count waits for a second supervisor; ``till.decided`` goes to them and to the
teller the waiting event named when it is decided. Nobody else sees them, and a refused or
repeated decision emits nothing. Read over ``/api/v1/events/list``; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.contract import MAX_DB_INT

OPEN = {"note_100": 5, "coin_0.50": 1, "coin_0.10": 3}  # 500.80
TRANSFER_KEYS = {"what", "till_id", "till_code", "teller", "transfer_id", "direction", "amount"}
OPEN_KEYS = {"what", "till_id", "till_code", "teller", "amount"}
CLOSE_KEYS = OPEN_KEYS | {"over_short"}
DECIDED_KEYS = {"state", "checker"}
BRANCH: list[str] = []  # the module's branch 0 (the world's), every event's branch here


@dataclass
class World:
    hub: HubProc
    http: httpx.Client
    b0: str
    b1: str
    sup_email: str
    sup: dict[str, str]
    sup2_email: str
    sup2: dict[str, str]
    sup_b1: dict[str, str]  # a supervisor of another branch
    teller_b1: dict[str, str]  # a teller of another branch

    def teller(self) -> tuple[str, dict[str, str]]:
        email = add_employee(self.http, self.hub, roles=["Teller"], branch_guid=self.b0)
        return email, sign_in(self.http, email)

    def post(self, path: str, headers: dict[str, str], desk: str | None = None,
             **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**headers, **({"X-Desk-ID": desk} if desk else {})},
                              json=body)

    def cursor(self) -> int:
        """The newest event id now (a cursor past it answers the newest id)."""
        r = self.http.get("/api/v1/events/list", headers=self.sup,
                          params={"after": MAX_DB_INT})
        assert r.status_code == 200, r.text
        return int(r.json()["last_event_id"])

    def till_events(self, headers: dict[str, str], after: int) -> list[dict[str, Any]]:
        r = self.http.get("/api/v1/events/list", headers=headers, params={"after": after})
        assert r.status_code == 200, r.text
        return [e for e in r.json()["events"] if e["kind"].startswith("till.")]


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("till-events-hub"), sandbox, hub_db)
    b0, b1 = branches(sandbox)[:2]
    BRANCH[:] = [b0]
    try:
        with hub.client() as http:
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            sup2 = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            sup_b1 = add_employee(http, hub, roles=["Supervisor"], branch_guid=b1)
            teller_b1 = add_employee(http, hub, roles=["Teller"], branch_guid=b1)
            yield World(hub, http, b0, b1, sup, sign_in(http, sup), sup2, sign_in(http, sup2),
                        sign_in(http, sup_b1), sign_in(http, teller_b1))
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def one(found: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    assert [e["kind"] for e in found] == [kind], found
    return found[0]


def contract(event: dict[str, Any], keys: set[str], branch: str | None = None) -> dict[str, Any]:
    """The event's data without the stream's own keys; exactly ``keys`` and the till's
    branch (``branch``: this module's branch 0 unless said)."""
    data = {k: v for k, v in event.items() if k not in ("id", "kind", "ts_ms")}
    assert set(data) == keys | {"branch_guid"}, data
    assert data.pop("branch_guid") == (branch or BRANCH[0]), event
    return data


def unseen(w: World, after: int, *others: dict[str, str]) -> None:
    """Neither the other branch's teller and supervisor nor ``others`` see a till event."""
    for headers in (w.teller_b1, w.sup_b1, *others):
        assert w.till_events(headers, after) == []


def stock_vault(w: World) -> None:
    r = w.http.put("/api/v1/vault", headers=w.sup,
                   json={"counts": {"note_1000": 100}, "reason": "stock"})
    assert r.status_code == 200, r.text
    if r.json()["count"]["state"] == "pending":
        r = w.post(f"/api/v1/vault/counts/{r.json()['count']['id']}/cosign", w.sup2)
    assert r.status_code == 200 and r.json()["count"]["state"] == "applied", r.text


def test_transfer_waits_and_is_decided_live(world: World) -> None:
    w = world
    stock_vault(w)
    teller_email, teller = w.teller()
    _, other_teller = w.teller()  # same branch, another teller
    r = w.post("/api/v1/tills/open", teller, "desk-A", till_code="T-ev-tr", counts=OPEN)
    till = r.json()
    assert w.post(f"/api/v1/tills/{till['id']}/cosign", w.sup).status_code == 200

    start = w.cursor()
    r = w.post("/api/v1/tills/current/transfers", teller, "desk-A", direction="to_vault",
               amount="9000.00")
    assert r.status_code == 409  # refused: the till does not hold that much
    r = w.post("/api/v1/tills/current/transfers", teller, "desk-A", direction="to_till",
               amount="5000.00")
    assert r.status_code == 200, r.text
    transfer = r.json()
    expected = {"what": "transfer", "till_id": till["id"], "till_code": "T-ev-tr",
                "teller": teller_email, "transfer_id": transfer["id"],
                "direction": "to_till", "amount": "5000.00"}
    for sup in (w.sup, w.sup2):
        assert contract(one(w.till_events(sup, start), "till.waiting"),
                        TRANSFER_KEYS) == expected
    assert w.till_events(teller, start) == []  # for the supervisors only
    unseen(w, start, other_teller)

    start = w.cursor()
    assert w.post(f"/api/v1/transfers/{transfer['id']}/approve", teller).status_code == 403
    assert w.post(f"/api/v1/transfers/{transfer['id']}/approve", w.sup).status_code == 200
    decided = {**expected, "state": "approved", "checker": w.sup_email}
    for who in (w.sup, w.sup2, teller):
        assert contract(one(w.till_events(who, start), "till.decided"),
                        TRANSFER_KEYS | DECIDED_KEYS) == decided
    unseen(w, start, other_teller)

    start = w.cursor()  # a repeated decision changes nothing: no event
    assert w.post(f"/api/v1/transfers/{transfer['id']}/approve", w.sup2).status_code == 409
    assert w.post(f"/api/v1/transfers/{transfer['id']}/reject", w.sup2,
                  comment="late").status_code == 409
    assert w.till_events(w.sup, start) == [] and w.till_events(teller, start) == []

    r = w.post("/api/v1/tills/current/transfers", teller, "desk-A", direction="to_vault",
               amount="100.00")
    assert r.status_code == 200, r.text
    start = w.cursor()
    assert w.post(f"/api/v1/transfers/{r.json()['id']}/reject", w.sup2,
                  comment="no").status_code == 200
    got = contract(one(w.till_events(teller, start), "till.decided"),
                   TRANSFER_KEYS | DECIDED_KEYS)
    assert got == {"what": "transfer", "till_id": till["id"], "till_code": "T-ev-tr",
                   "teller": teller_email, "transfer_id": r.json()["id"],
                   "direction": "to_vault", "amount": "100.00", "state": "rejected",
                   "checker": w.sup2_email}
    assert one(w.till_events(w.sup, start), "till.decided")["state"] == "rejected"
    unseen(w, start, other_teller)


def test_open_and_close_cosign_are_live(world: World) -> None:
    w = world
    teller_email, teller = w.teller()
    _, other_teller = w.teller()
    start = w.cursor()
    r = w.post("/api/v1/tills/open", teller, "desk-B", till_code="T-ev-oc", counts=OPEN)
    assert r.status_code == 200 and r.json()["state"] == "cosign", r.text
    till_id = r.json()["id"]
    opening = {"what": "open_cosign", "till_id": till_id, "till_code": "T-ev-oc",
               "teller": teller_email, "amount": "500.80"}
    assert contract(one(w.till_events(w.sup, start), "till.waiting"), OPEN_KEYS) == opening
    assert w.till_events(teller, start) == []
    unseen(w, start, other_teller)

    start = w.cursor()
    assert w.post(f"/api/v1/tills/{till_id}/cosign", teller).status_code == 403
    assert w.post(f"/api/v1/tills/{till_id}/cosign", w.sup2).status_code == 200
    assert w.post(f"/api/v1/tills/{till_id}/cosign", w.sup).status_code == 409  # repeated
    decided = {**opening, "state": "cosigned", "checker": w.sup2_email}
    for who in (w.sup, teller):
        assert contract(one(w.till_events(who, start), "till.decided"),
                        OPEN_KEYS | DECIDED_KEYS) == decided
    unseen(w, start, other_teller)

    start = w.cursor()  # 1.00 short of 500.80: past the tolerance (0), waits for a co-sign
    short = {"note_100": 4, "note_50": 1, "note_20": 2, "note_5": 1, "note_2": 2,
             "coin_0.50": 1, "coin_0.10": 3}
    r = w.post("/api/v1/tills/current/close", teller, "desk-B", counts=short, reason="short")
    assert r.status_code == 200 and r.json()["state"] == "close_cosign", r.text
    closing = {"what": "close_cosign", "till_id": till_id, "till_code": "T-ev-oc",
               "teller": teller_email, "amount": "499.80", "over_short": "-1.00"}
    assert contract(one(w.till_events(w.sup, start), "till.waiting"), CLOSE_KEYS) == closing
    assert w.till_events(teller, start) == []
    unseen(w, start, other_teller)

    start = w.cursor()  # a recount keeps it waiting: waiting again, with the new figures
    r = w.post("/api/v1/tills/current/close", teller, "desk-B", counts=OPEN, reason="found")
    assert r.status_code == 200 and r.json()["state"] == "close_cosign", r.text
    closing = {**closing, "amount": "500.80", "over_short": "0.00"}
    assert contract(one(w.till_events(w.sup2, start), "till.waiting"), CLOSE_KEYS) == closing

    start = w.cursor()
    r = w.post(f"/api/v1/tills/{till_id}/close-cosign", w.sup, counted="499.80")
    assert r.status_code == 409 and r.json()["code"] == "count_changed", r.text
    assert w.post(f"/api/v1/tills/{till_id}/close-cosign", teller,
                  counted="500.80").status_code == 403
    assert w.till_events(w.sup, start) == [] and w.till_events(teller, start) == []
    r = w.post(f"/api/v1/tills/{till_id}/close-cosign", w.sup, counted="500.80")
    assert r.status_code == 200 and r.json()["state"] == "closed", r.text
    decided = {**closing, "state": "cosigned", "checker": w.sup_email}
    for who in (w.sup2, teller):
        assert contract(one(w.till_events(who, start), "till.decided"),
                        CLOSE_KEYS | DECIDED_KEYS) == decided
    unseen(w, start, other_teller)

    start = w.cursor()  # the same count as the last close: open at once, nothing waits
    r = w.post("/api/v1/tills/open", teller, "desk-B", till_code="T-ev-oc", counts=OPEN)
    assert r.status_code == 200 and r.json()["state"] == "open", r.text
    assert w.till_events(w.sup, start) == []


def test_vault_count_waits_and_is_cosigned_live(world: World) -> None:
    w = world
    _, teller = w.teller()
    start = w.cursor()
    r = w.http.put("/api/v1/vault", headers=w.sup,
                   json={"counts": {"note_500": 1}, "reason": "recount"})
    assert r.status_code == 200 and r.json()["count"]["state"] == "pending", r.text
    count_id = r.json()["count"]["id"]
    waiting = {"what": "vault_count", "till_id": None, "till_code": None,
               "teller": w.sup_email, "count_id": count_id, "amount": "500.00"}
    keys = OPEN_KEYS | {"count_id"}
    for sup in (w.sup, w.sup2):
        assert contract(one(w.till_events(sup, start), "till.waiting"), keys) == waiting
    unseen(w, start, teller)

    start = w.cursor()
    assert w.post(f"/api/v1/vault/counts/{count_id}/cosign", w.sup).status_code == 403
    assert w.till_events(w.sup2, start) == []
    assert w.post(f"/api/v1/vault/counts/{count_id}/cosign", w.sup2).status_code == 200
    assert w.post(f"/api/v1/vault/counts/{count_id}/cosign", w.sup2).status_code == 409
    decided = {**waiting, "state": "cosigned", "checker": w.sup2_email}
    for sup in (w.sup, w.sup2):
        assert contract(one(w.till_events(sup, start), "till.decided"),
                        keys | DECIDED_KEYS) == decided
    unseen(w, start, teller)

    start = w.cursor()  # a count equal to the book is applied at once: nothing waits
    r = w.http.put("/api/v1/vault", headers=w.sup2, json={"counts": {"note_500": 1}})
    assert r.status_code == 200 and r.json()["count"]["state"] == "applied", r.text
    assert w.till_events(w.sup, start) == []

    # a waiting count replaced by a newer one that matches the book: it no longer waits, and
    # every supervisor's view (and its counter) is told, as "superseded"
    r = w.http.put("/api/v1/vault", headers=w.sup,
                   json={"counts": {"note_500": 3}, "reason": "recount"})
    assert r.status_code == 200 and r.json()["count"]["state"] == "pending", r.text
    old_id = r.json()["count"]["id"]
    start = w.cursor()
    r = w.http.put("/api/v1/vault", headers=w.sup2, json={"counts": {"note_500": 1}})
    assert r.status_code == 200 and r.json()["count"]["state"] == "applied", r.text
    superseded = {"what": "vault_count", "till_id": None, "till_code": None,
                  "teller": w.sup_email, "count_id": old_id, "amount": "1500.00",
                  "state": "superseded", "checker": w.sup2_email}
    for sup in (w.sup, w.sup2):
        assert contract(one(w.till_events(sup, start), "till.decided"),
                        keys | DECIDED_KEYS) == superseded
    unseen(w, start, teller)
