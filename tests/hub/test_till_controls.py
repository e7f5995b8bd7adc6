"""The till's cash controls on the hub (the audit's findings 1, 2, 5, 6, 10), over HTTP on
SQLite and PostgreSQL: no close while the opening count waits for its co-sign; a vault count
that differs from the book waits for a second supervisor and is audited with the balance
before it and the difference; an over/short past the bank's close tolerance waits for a
supervisor (the tolerance raised only under four eyes); the branch position keeps the cash
left in closed tills; "previous close" never depends on the clock's whole seconds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_db import execute
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

OPEN = {"note_100": 5}  # 500.00


@dataclass
class World:
    hub: HubProc
    http: httpx.Client
    b0: str
    sup_email: str
    sup: dict[str, str]
    sup2: dict[str, str]
    admin: dict[str, str]  # two head-office Administrators: the limits' four eyes
    admin2: dict[str, str]

    def teller(self) -> tuple[str, dict[str, str]]:
        email = add_employee(self.http, self.hub, roles=["Teller"], branch_guid=self.b0)
        return email, sign_in(self.http, email)

    def post(self, path: str, who: dict[str, str], desk: str | None = None,
             **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**who, **({"X-Desk-ID": desk} if desk else {})},
                              json=body)

    def open(self, who: dict[str, str], code: str, counts: dict[str, int],
             cosign: bool = True) -> dict[str, Any]:
        r = self.post("/api/v1/tills/open", who, "desk", till_code=code, counts=counts)
        assert r.status_code == 200, r.text
        if cosign and r.json()["state"] == "cosign":
            r = self.post(f"/api/v1/tills/{r.json()['id']}/cosign", self.sup)
            assert r.status_code == 200, r.text
        return dict(r.json())

    def close(self, who: dict[str, str], counts: dict[str, int],
              reason: str = "") -> httpx.Response:
        return self.post("/api/v1/tills/current/close", who, "desk", counts=counts,
                         reason=reason)

    def position(self) -> dict[str, Any]:
        r = self.http.get("/api/v1/cash/position", headers=self.sup)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def trail(self, entity: str) -> list[dict[str, Any]]:
        """The audit entries of ``entity``, oldest first (every page)."""
        found: list[dict[str, Any]] = []
        after: int | None = 0
        while after is not None:
            page = self.http.get("/api/v1/audit", headers=self.admin, params={
                "limit": 1000, "action": ["till"], "after_seq": after}).json()
            found += [e for e in page["entries"] if e["entity"] == entity]
            after = page["next_after_seq"]
        return found

    def vault_trail(self) -> list[dict[str, Any]]:
        return [e["detail"] for e in self.trail(f"vault:{self.b0}")]


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("till-controls"), sandbox, hub_db)
    b0 = branches(sandbox)[0]
    try:
        with hub.client() as http:
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            sup2 = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            admins = [add_employee(http, hub, roles=["Administrator"], head_office=True)
                      for _ in range(2)]
            yield World(hub, http, b0, sup, sign_in(http, sup), sign_in(http, sup2),
                        sign_in(http, admins[0]), sign_in(http, admins[1]))
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def test_a_till_waiting_for_its_opening_cosign_cannot_be_closed(world: World) -> None:
    """The audit's night: 10 000 closed, 5 000 found in the morning. Closing the uncosigned
    till would make the next opening match its close, with no supervisor ever asked."""
    w = world
    _, teller = w.teller()
    w.open(teller, "T-night", {"note_1000": 10})
    assert w.close(teller, {"note_1000": 10}).status_code == 200
    day2 = w.open(teller, "T-night", {"note_1000": 5}, cosign=False)
    assert (day2["state"], day2["previous_close"]) == ("cosign", "10000.00")
    r = w.close(teller, {"note_1000": 5})
    assert r.status_code == 409 and r.json()["code"] == "awaiting_cosign", r.text
    assert w.http.get("/api/v1/tills/current", headers=teller).json()["state"] == "cosign"
    assert w.post(f"/api/v1/tills/{day2['id']}/cosign", w.sup).status_code == 200
    assert w.close(teller, {"note_1000": 5}).status_code == 200
    rep = w.http.get(f"/api/v1/tills/{day2['id']}/report", headers=teller).json()
    assert (rep["previous_close"], rep["open_total"], rep["cosigned_by"]) == (
        "10000.00", "5000.00", w.sup_email)
    day3 = w.open(teller, "T-night", {"note_1000": 5}, cosign=False)
    assert (day3["state"], day3["previous_close"]) == ("open", "5000.00")
    assert w.close(teller, {"note_1000": 5}).status_code == 200


def test_a_vault_count_that_differs_waits_for_a_second_supervisor(world: World) -> None:
    w = world
    book = w.position()["vault"]
    assert book == "0.00"  # this hub's vault was never counted
    r = w.http.put("/api/v1/vault", headers=w.sup, json={"counts": {"note_1000": 50}})
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")  # differs from book
    r = w.http.put("/api/v1/vault", headers=w.sup,
                   json={"counts": {"note_1000": 50}, "reason": "opening stock"})
    assert r.status_code == 200, r.text
    count = r.json()["count"]
    assert (count["state"], count["counted"], count["book"]) == ("pending", "50000.00", book)
    assert r.json()["vault"] == book  # nothing moved yet
    assert [c["id"] for c in r.json()["pending_vault_counts"]] == [count["id"]]
    cosign = f"/api/v1/vault/counts/{count['id']}/cosign"
    r = w.post(cosign, w.sup)  # never the one who counted
    assert (r.status_code, r.json()["code"]) == (403, "vault_count_own")
    _, teller = w.teller()
    assert w.post(cosign, teller).status_code == 403
    # a transfer approved meanwhile is kept: the co-sign applies the difference found
    w.open(teller, "T-vault-count", OPEN)
    tr = w.post("/api/v1/tills/current/transfers", teller, "desk", direction="to_vault",
                amount="100.00").json()
    assert w.post(f"/api/v1/transfers/{tr['id']}/approve", w.sup).status_code == 200
    moved = w.position()["vault"]
    r = w.post(cosign, w.sup2)
    assert r.status_code == 200, r.text
    assert r.json()["count"]["state"] == "applied" and r.json()["pending_vault_counts"] == []
    assert (moved, r.json()["vault"]) == ("100.00", "50100.00")  # 100 + the 50 000 found
    assert w.post(cosign, w.sup2).json()["code"] == "nothing_to_cosign"
    counted, cosigned = w.vault_trail()[-2:]
    assert (counted["vault_count"], counted["previous"], counted["difference"],
            counted["applied"]) == ("50000.00", book, "50000.00", False)
    assert (cosigned["vault_count_cosigned"], cosigned["previous"], cosigned["difference"],
            cosigned["balance"]) == ("50000.00", "100.00", "50000.00", "50100.00")
    # equal to the book: applied at once, by one supervisor, audited with a zero difference
    r = w.http.put("/api/v1/vault", headers=w.sup, json={"counts": {
        "note_1000": 50, "note_100": 1}})
    assert r.status_code == 200 and r.json()["count"]["state"] == "applied", r.text
    assert w.vault_trail()[-1]["difference"] == "0.00"
    # a newer count replaces one still waiting; the old one can no longer be co-signed
    first = w.http.put("/api/v1/vault", headers=w.sup, json={
        "counts": {"note_1000": 49}, "reason": "one missing"}).json()["count"]
    second = w.http.put("/api/v1/vault", headers=w.sup, json={
        "counts": {"note_1000": 48}, "reason": "two missing"}).json()["count"]
    got = w.http.get(f"/api/v1/vault/counts/{first['id']}", headers=w.sup2).json()
    assert got["state"] == "superseded"
    r = w.post(f"/api/v1/vault/counts/{first['id']}/cosign", w.sup2)
    assert r.json()["code"] == "nothing_to_cosign"
    assert [c["id"] for c in w.position()["pending_vault_counts"]] == [second["id"]]
    assert w.position()["vault"] == "50100.00"
    assert w.close(teller, {"note_100": 4}).status_code == 200


def _put_limits(w: World, who: dict[str, str], **changes: str) -> httpx.Response:
    limits = w.http.get("/api/v1/cash/limits", headers=w.sup).json()
    return w.http.put("/api/v1/cash/limits", headers=who, json={**limits, **changes})


def test_an_over_short_past_the_tolerance_waits_for_a_supervisor(world: World) -> None:
    w = world
    assert w.http.get("/api/v1/cash/limits", headers=w.sup).json()["close_tolerance"] == "0.00"
    email, teller = w.teller()
    till = w.open(teller, "T-tolerance", OPEN)
    short = {"note_100": 4, "note_50": 1, "note_20": 2, "note_5": 1, "note_2": 2}  # 499.00
    assert w.close(teller, short).json()["code"] == "reason_required"
    r = w.close(teller, short, "a note short")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["counted"], r.json()["over_short"]) == (
        "close_cosign", "499.00", "-1.00")
    # not closed: still this teller's till, no other till for them, no transfer
    assert w.http.get("/api/v1/tills/current", headers=teller).json()["state"] == "close_cosign"
    r = w.post("/api/v1/tills/open", teller, "desk", till_code="T-other", counts=OPEN)
    assert r.json()["code"] == "till_held"
    r = w.post("/api/v1/tills/current/transfers", teller, "desk", direction="to_till",
               amount="1.00")
    assert r.json()["code"] == "awaiting_close_cosign"
    cosign = f"/api/v1/tills/{till['id']}/close-cosign"
    assert w.post(cosign, teller, counted="499.00").status_code == 403  # a supervisor's
    # the teller counts again meanwhile: a co-sign of the count seen before is refused
    recount = {**short, "coin_0.50": 1}  # 499.50
    assert w.close(teller, recount, "recounted").json()["state"] == "close_cosign"
    r = w.post(cosign, w.sup, counted="499.00")
    assert (r.status_code, r.json()["code"]) == (409, "count_changed")
    r = w.post(cosign, w.sup, counted="499.50")
    assert r.status_code == 200, r.text
    closed = r.json()
    assert (closed["state"], closed["close_cosigned_by"], closed["close_reason"],
            closed["over_short"]) == ("closed", w.sup_email, "recounted", "-0.50")
    assert closed["close_counts"] == recount
    assert w.post(cosign, w.sup, counted="499.50").json()["code"] == "nothing_to_cosign"
    mine = [(e["actor"], e["detail"]) for e in w.trail(f"till:{till['id']}")]
    assert [(a, d.get("close"), d.get("awaits_cosign"), d.get("close_cosigned"))
            for a, d in mine if "close" in d] == [
        (email, "499.00", True, None), (email, "499.50", True, None),
        (w.sup_email, "499.50", None, True)]
    # once flagged, every close needs the co-sign: a recount that balances waits too (the
    # teller never closes alone), and the supervisor co-signs the figures now shown
    again = w.open(teller, "T-tolerance", OPEN)
    assert w.close(teller, short, "a note short").json()["state"] == "close_cosign"
    r = w.close(teller, OPEN)
    assert (r.status_code, r.json()["state"], r.json()["counted"], r.json()["over_short"],
            r.json()["close_cosigned_by"]) == (200, "close_cosign", "500.00", "0.00", None), r.text
    assert w.http.get("/api/v1/tills/current", headers=teller).json()["state"] == "close_cosign"
    r = w.post(f"/api/v1/tills/{again['id']}/close-cosign", w.sup, counted="499.00")
    assert (r.status_code, r.json()["code"]) == (409, "count_changed")
    r = w.post(f"/api/v1/tills/{again['id']}/close-cosign", w.sup, counted="500.00")
    assert (r.status_code, r.json()["state"], r.json()["close_cosigned_by"],
            r.json()["over_short"]) == (200, "closed", w.sup_email, "0.00"), r.text
    # raising the tolerance relaxes a control: four eyes; lowering it applies at once
    r = _put_limits(w, w.admin, close_tolerance="1.00")
    assert r.status_code == 202 and r.json()["relaxes"] == ["close_tolerance"], r.text
    assert w.http.get("/api/v1/cash/limits", headers=w.sup).json()["close_tolerance"] == "0.00"
    req = r.json()["request"]
    r = w.post(f"/api/v1/requests/{req['id']}/approve", w.admin2, sha256=req["sha256"])
    assert r.status_code == 200 and r.json()["state"] == "applied", r.text
    try:
        assert w.http.get("/api/v1/cash/limits",
                          headers=w.sup).json()["close_tolerance"] == "1.00"
        w.open(teller, "T-tolerance", OPEN)
        r = w.close(teller, short, "a note short")  # within 1.00: the reason suffices
        assert (r.json()["state"], r.json()["close_cosigned_by"]) == ("closed", None), r.text
        # flagged past the tolerance, a recount within it still waits for the supervisor
        flagged = w.open(teller, "T-tolerance", OPEN)
        r = w.close(teller, {"note_100": 4, "note_50": 1, "note_20": 2}, "ten short")
        assert (r.json()["state"], r.json()["over_short"]) == ("close_cosign", "-10.00"), r.text
        r = w.close(teller, short, "one short after all")  # -1.00: within the 1.00
        assert (r.json()["state"], r.json()["over_short"]) == ("close_cosign", "-1.00"), r.text
        r = w.post(f"/api/v1/tills/{flagged['id']}/close-cosign", w.sup, counted="499.00")
        assert (r.status_code, r.json()["close_cosigned_by"]) == (200, w.sup_email), r.text
        r = _put_limits(w, w.admin, close_tolerance="0.50")
        assert r.status_code == 200 and r.json()["close_tolerance"] == "0.50", r.text
    finally:
        _put_limits(w, {"Authorization": f"Bearer {w.hub.admin_token}"},
                    close_tolerance="0.00")


def test_the_branch_position_keeps_the_cash_of_closed_tills(world: World) -> None:
    w = world
    _, teller = w.teller()
    till = w.open(teller, "T-position", {"note_200": 3})  # 600.00
    before = w.position()
    assert till["id"] in [t["id"] for t in before["tills"]]
    assert "T-position" not in [t["till_code"] for t in before["closed_tills"]]
    assert w.close(teller, {"note_200": 3}).status_code == 200
    after = w.position()
    assert after["total"] == before["total"]  # the cash is still in the branch
    assert float(after["in_closed_tills"]) == float(before["in_closed_tills"]) + 600
    mine = [t for t in after["closed_tills"] if t["till_code"] == "T-position"]
    assert [(t["id"], t["counted"]) for t in mine] == [(till["id"], "600.00")]
    assert float(after["total"]) == float(after["vault"]) + float(
        after["in_open_tills"]) + float(after["in_closed_tills"])
    # opened again: its opening count takes over from the closing count
    again = w.open(teller, "T-position", {"note_200": 3})
    assert again["state"] == "open"
    reopened = w.position()
    assert reopened["in_closed_tills"] == before["in_closed_tills"]
    assert reopened["total"] == before["total"]
    assert "T-position" not in [t["till_code"] for t in reopened["closed_tills"]]
    w.close(teller, {"note_200": 3})


def test_previous_close_never_hangs_on_the_clock(world: World) -> None:
    """Two closes of a till in one whole second (or on hub processes whose clocks differ by
    one): the next opening compares with the later close, always."""
    w = world
    _, teller = w.teller()
    for shift in (0, -1):  # a tie, then the later close stamped a second earlier
        code = f"T-tie{-shift}"
        first = w.open(teller, code, {"note_500": 1})
        assert w.close(teller, {"note_500": 1}).status_code == 200
        second = w.open(teller, code, {"note_500": 2})
        assert second["previous_close"] == "500.00"
        assert w.close(teller, {"note_500": 2}).status_code == 200
        at = w.http.get(f"/api/v1/tills/{first['id']}/report", headers=teller).json()
        execute(w.hub, "UPDATE tills SET closed_at = :t WHERE id = :i",
                t=int(at["closed_at"]) + shift, i=second["id"])
        third = w.open(teller, code, {"note_500": 2}, cosign=False)
        assert (third["previous_close"], third["state"]) == ("1000.00", "open"), third
        assert w.close(teller, {"note_500": 2}).status_code == 200
