"""A till's lease when one teller is signed in at two desks (SQLite and PostgreSQL).

Desk A opened the till; desk B only signed in (it reads the till and heartbeats). A heartbeat
renews only the desk holding the till, lapsed or not, and never takes it: A missing its
heartbeats for a lease (a network blip, a restart) does not hand the till to B. Another desk
takes a lapsed lease only by a teller's step there (opening the till, a vault transfer, a
cash check, the close). Two desks asking at once after a lapse: exactly one is told it holds
the till. A lapse is made by moving the row's ``lease_until`` back, never by waiting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fe_db import execute, scalar
from hub_proc import add_employee, sign_in
from staffed_hub import Staffed, staffed_hub
from till_open import open_till

OPEN = {"note_100": 50}
HEARTBEAT = "/api/v1/tills/current/heartbeat"
TRANSFERS = "/api/v1/tills/current/transfers"


@dataclass
class World(Staffed):
    pass


@dataclass
class TwoDesks:
    email: str
    a: dict[str, str]  # the session at desk A (opened the till), with its X-Desk-ID
    b: dict[str, str]  # the same teller's session at desk B
    c: dict[str, str]  # and at desk C
    till_id: str


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox, tmp_path_factory) -> Iterator[World]:
    # a long lease: only the test lapses it (``lapse``), never the clock mid-test
    with staffed_hub(tmp_path_factory.mktemp("lease-not-taken"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0", TELLER_HUB_TILL_LEASE_S="600") as staff:
        yield World(**staff.fields())


def two_desks(w: World, code: str) -> TwoDesks:
    email = add_employee(w.http, w.hub, roles=["Teller"], branch_guid=w.b0)
    a = sign_in(w.http, email)
    till = open_till(w.http, a, w.sup, code, OPEN, "desk-A")
    return TwoDesks(email, {**a, "X-Desk-ID": "desk-A"},
                    {**sign_in(w.http, email), "X-Desk-ID": "desk-B"},
                    {**sign_in(w.http, email), "X-Desk-ID": "desk-C"}, till["id"])


def lapse(w: World, d: TwoDesks) -> None:
    execute(w.hub, "UPDATE tills SET lease_until = 1 WHERE id = :id", id=d.till_id)


def holder(w: World, d: TwoDesks) -> str:
    return str(scalar(w.hub, "SELECT desk_id FROM tills WHERE id = :id", id=d.till_id))


def code_of(r: httpx.Response) -> tuple[int, str | None]:
    return r.status_code, (r.json().get("code") if r.status_code != 200 else None)


def transfer_body() -> dict[str, str]:
    return {"direction": "to_till", "amount": "1.00", "id": str(uuid.uuid4())}


def test_a_heartbeat_never_takes_the_till(world: World) -> None:
    w = world
    d = two_desks(w, "T-passive")
    assert code_of(w.http.post(HEARTBEAT, headers=d.b)) == (409, "till_elsewhere")
    lapse(w, d)  # A missed its heartbeats for a whole lease
    # B, signed in and heartbeating, never asked for the till: it does not get it
    for _ in range(3):
        assert code_of(w.http.post(HEARTBEAT, headers=d.b)) == (409, "till_elsewhere")
    assert holder(w, d) == "desk-A"
    # A comes back: its heartbeat renews its own lapsed lease
    r = w.http.post(HEARTBEAT, headers=d.a)
    assert r.status_code == 200 and r.json()["desk_id"] == "desk-A", r.text
    assert int(r.json()["lease_until"]) > 1
    assert code_of(w.http.post(HEARTBEAT, headers=d.b)) == (409, "till_elsewhere")

    # the teller moves the till to B by a step there (opening it): B holds it from then on
    lapse(w, d)
    r = w.http.post("/api/v1/tills/open", headers=d.b,
                    json={"till_code": "T-passive", "counts": OPEN})
    assert r.status_code == 200 and r.json()["desk_id"] == "desk-B", r.text
    assert code_of(w.http.post(HEARTBEAT, headers=d.a)) == (409, "till_elsewhere")
    assert w.http.post(HEARTBEAT, headers=d.b).status_code == 200
    # and back to A by a teller's step at A after B's lease lapsed (a vault transfer)
    lapse(w, d)
    assert code_of(w.http.post(HEARTBEAT, headers=d.a)) == (409, "till_elsewhere")
    r = w.http.post(TRANSFERS, headers=d.a, json=transfer_body())
    assert r.status_code == 200, r.text
    assert holder(w, d) == "desk-A"
    assert code_of(w.http.post(HEARTBEAT, headers=d.b)) == (409, "till_elsewhere")
    assert w.http.post(HEARTBEAT, headers=d.a).status_code == 200


def test_two_desks_at_once_after_a_lapse(world: World) -> None:
    """Two steps that may take a lapsed lease (B's and C's transfers), and the holder's
    heartbeat against another desk's step, sent at once: one is told it holds the till,
    and it is the desk the row names."""
    w = world
    d = two_desks(w, "T-race")

    async def at_once(first: tuple[str, dict[str, str]], second: tuple[str, dict[str, str]]
                      ) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=w.hub.base_url, timeout=60) as c:
            return list(await asyncio.gather(*[
                c.post(path, headers=headers,
                       json=transfer_body() if path == TRANSFERS else None)
                for path, headers in (first, second)]))

    seen = []
    for round_ in range(8):
        lapse(w, d)
        if round_ % 2:  # the holder's heartbeat against another desk's transfer
            now = holder(w, d)
            other = d.c if now == "desk-B" else d.b
            mine = {"desk-A": d.a, "desk-B": d.b, "desk-C": d.c}[now]
            pair = ((HEARTBEAT, mine), (TRANSFERS, other))
        else:
            pair = ((TRANSFERS, d.b), (TRANSFERS, d.c))
        answers = asyncio.run(at_once(*pair))
        told = [p[1]["X-Desk-ID"] for p, r in zip(pair, answers, strict=True)
                if r.status_code == 200]
        refused = [code_of(r) for r in answers if r.status_code != 200]
        seen.append((told, refused))
        assert len(told) == 1, seen
        assert refused == [(409, "till_elsewhere")], seen
        assert told == [holder(w, d)], seen
