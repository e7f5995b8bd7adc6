"""GET /audit newest first (``newest_first``, ``before_seq``, ``next_before_seq``) on a real
hub, SQLite and PostgreSQL: pages go down without gaps or repeats across a PAGE_BYTES cut
and with every filter; a branch checker never sees another branch's rows; a time window
(turned into a seq range on the hub) returns exactly its rows, also those whose ts_ms is out
of seq order at its edges; the oldest-first reply keeps its shape; ``HubClient.audit``."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fe_db import db_url
from hub_proc import HubProc, add_employee, branches, sign_in
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import audit
from teller_app.hub.routes_audit import PAGE_BYTES
from teller_app.platform.hub_client import HubClient

T0 = 978_307_200_000  # 2001-01-01 UTC: far from the rows the hub writes itself (now)
DAY = 86_400_000
SINCE, UNTIL = T0 + 10 * DAY, T0 + 11 * DAY
BIG = PAGE_BYTES * 2 // 3


def _ts_plan() -> list[int]:
    """ts_ms in seq order: days before, the window with rows out of order at both edges
    (the window's lowest seq has a late ts_ms, its highest an early one; rows outside it
    lie between rows inside), then days after."""
    before = [T0 + d * DAY for d in range(10)]
    edges_low = [SINCE + 5_000, SINCE - 1, SINCE, SINCE - 2, SINCE + 1]
    inside = [SINCE + 60_000 * i for i in range(2, 20)]
    edges_high = [UNTIL - 1, UNTIL, UNTIL - 90_000, UNTIL + 5, UNTIL - 100_000]
    after = [UNTIL + d * DAY for d in range(1, 10)]
    return before + edges_low + inside + edges_high + after


@pytest.fixture(scope="module")
def trail(hub: HubProc, sandbox: SandboxProcess) -> dict[str, Any]:
    """Rows written straight into the chain with chosen ts_ms (as a restore or a process
    with a stepped clock would), over two branches and three actors; some megabytes big."""
    b0, b1 = branches(sandbox)[:2]
    actors = [f"{uuid.uuid4().hex[:10]}@trail.test" for _ in range(3)]
    rows: list[dict[str, Any]] = []
    for i, ts in enumerate(_ts_plan()):
        rows.append({"ts_ms": ts, "actor": actors[i % 3], "branch_guid": (b0, b1)[i % 2],
                     "action": ("edit", "other")[i % 4 == 3],
                     "detail": {"a": "x" * BIG} if i in (3, 4, 20, 31) else {"i": i}})

    async def run() -> None:
        engine = create_async_engine(db_url(hub))
        try:
            async with engine.begin() as conn:
                for r in rows:
                    r["seq"], _ = await audit.append(conn, audit.Entry(
                        actor=r["actor"], action=r["action"], detail=r["detail"],
                        desk_id="trail-desk", branch_guid=r["branch_guid"],
                        ts_ms=r["ts_ms"]))
        finally:
            await engine.dispose()
    asyncio.run(run())
    with hub.client() as http:
        head = sign_in(http, add_employee(http, hub, roles=["Supervisor"], head_office=True))
        checker = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
    return {"rows": rows, "b0": b0, "b1": b1, "actors": actors, "head": head,
            "checker": checker}


def _newest_first(http: httpx.Client, headers: dict[str, str], params: dict[str, Any]
                  ) -> tuple[list[int], int]:
    """Every page newest first: the seqs in order, and how many pages."""
    seqs: list[int] = []
    before: int | None = None
    pages = 0
    while True:
        query = {**params, "newest_first": "true"}
        if before is not None:
            query["before_seq"] = before
        r = http.get("/api/v1/audit", headers=headers, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["newest_first"] is True and body["next_after_seq"] is None
        assert len(r.content) < PAGE_BYTES + BIG + 64 * 1024  # one big row past, at most
        page = [e["seq"] for e in body["entries"]]
        assert page == sorted(page, reverse=True)
        seqs += page
        pages += 1
        if body["next_before_seq"] is None:
            return seqs, pages
        assert page and body["next_before_seq"] == page[-1]
        before = body["next_before_seq"]


def _oldest_first(http: httpx.Client, headers: dict[str, str], params: dict[str, Any]
                  ) -> list[int]:
    seqs: list[int] = []
    after = 0
    while True:
        r = http.get("/api/v1/audit", headers=headers, params={**params, "after_seq": after})
        assert r.status_code == 200, r.text
        body = r.json()
        seqs += [e["seq"] for e in body["entries"]]
        if body["next_after_seq"] is None:
            return seqs
        after = body["next_after_seq"]


def _expected(trail: dict[str, Any], **want: Any) -> list[int]:
    """The seeded rows matching ``want`` (and the window when asked), newest first."""
    def fits(r: dict[str, Any]) -> bool:
        if "since_ms" in want and r["ts_ms"] < want["since_ms"]:
            return False
        if "until_ms" in want and r["ts_ms"] >= want["until_ms"]:
            return False
        return all(r[k] == v for k, v in want.items() if k in ("actor", "branch_guid"))
    return sorted((r["seq"] for r in trail["rows"] if fits(r)), reverse=True)


FILTERS = {
    "branch": lambda t: {"branch_guid": t["b1"]},
    "actor": lambda t: {"actor": t["actors"][1]},
    "window": lambda t: {"since_ms": SINCE, "until_ms": UNTIL},
    "window_and_branch": lambda t: {"since_ms": SINCE, "until_ms": UNTIL, "branch_guid": t["b0"]},
    "since_only": lambda t: {"since_ms": SINCE, "actor": t["actors"][0]},
    "until_only": lambda t: {"until_ms": UNTIL, "actor": t["actors"][2]},
}


@pytest.mark.parametrize("name", list(FILTERS))
@pytest.mark.parametrize("limit", [4, 1000])
def test_newest_first_pages_go_down_without_gaps(http: httpx.Client, trail: dict[str, Any],
                                                 name: str, limit: int) -> None:
    params = {**FILTERS[name](trail), "limit": limit}
    seqs, pages = _newest_first(http, trail["head"], params)
    assert len(set(seqs)) == len(seqs)
    mine = [s for s in seqs if s in {r["seq"] for r in trail["rows"]}]
    want = {k: v for k, v in params.items() if k != "limit"}
    assert mine == _expected(trail, **want)
    # the same rows the oldest-first reading finds, in the other order
    assert seqs == list(reversed(_oldest_first(http, trail["head"], params)))
    if limit == 1000 and name == "branch":  # b1 has two big rows (3, 31): cut by bytes
        assert pages >= 2


def test_action_filter_and_the_byte_cut(http: httpx.Client, trail: dict[str, Any]) -> None:
    params = {"action": "edit", "actor": trail["actors"][0], "limit": 1000}
    seqs, _ = _newest_first(http, trail["head"], params)
    want = sorted((r["seq"] for r in trail["rows"]
                   if r["action"] == "edit" and r["actor"] == trail["actors"][0]), reverse=True)
    assert seqs == want
    # all rows of the trail, big ones included: every page ends at its byte budget
    everyone = {"since_ms": T0, "until_ms": UNTIL + 10 * DAY, "limit": 1000}
    seqs, pages = _newest_first(http, trail["head"], everyone)
    assert seqs == _expected(trail, since_ms=T0) and pages == 4  # big: 31 | 20, 4 | 3


def test_before_seq_with_filters_and_the_checkers_scope(http: httpx.Client,
                                                        trail: dict[str, Any]) -> None:
    rows, b0, b1 = trail["rows"], trail["b0"], trail["b1"]
    middle = rows[len(rows) // 2]["seq"]
    r = http.get("/api/v1/audit", headers=trail["head"], params={
        "newest_first": "true", "before_seq": middle, "branch_guid": b1, "limit": 3})
    got = [e["seq"] for e in r.json()["entries"]]
    assert got == [s for s in _expected(trail, branch_guid=b1) if s < middle][:3]
    # a branch checker: only the branch's rows, newest first as oldest first
    seqs, _ = _newest_first(http, trail["checker"], {"limit": 5})
    mine = {r["seq"]: r for r in rows}
    assert [s for s in seqs if s in mine] == _expected(trail, branch_guid=b0)
    assert all(mine[s]["branch_guid"] == b0 for s in seqs if s in mine)
    assert seqs == list(reversed(_oldest_first(http, trail["checker"], {"limit": 5})))
    # asking for the other branch, or below a seq of it, shows nothing of it
    for params in ({"branch_guid": b1}, {"branch_guid": b1, "before_seq": middle},
                   {"before_seq": middle, "since_ms": SINCE, "until_ms": UNTIL}):
        found, _ = _newest_first(http, trail["checker"], {**params, "limit": 4})
        assert all(mine[s]["branch_guid"] == b0 for s in found if s in mine)
        assert all(s in mine or s > rows[-1]["seq"] for s in found)
        assert not [s for s in found if s in mine and mine[s]["branch_guid"] == b1]


def test_a_window_returns_exactly_its_rows_at_out_of_order_edges(
        http: httpx.Client, trail: dict[str, Any]) -> None:
    window = {"since_ms": SINCE, "until_ms": UNTIL}
    want = _expected(trail, **window)
    ts = {r["seq"]: r["ts_ms"] for r in trail["rows"]}
    # the edges as planned: the window's lowest seq is not its earliest ts, nor its
    # highest seq its latest ts, and rows outside lie between
    assert ts[want[-1]] == SINCE + 5_000 and ts[want[0]] == UNTIL - 100_000
    for limit in (1, 3, 1000):
        seqs, _ = _newest_first(http, trail["head"], {**window, "limit": limit})
        assert seqs == want
        assert _oldest_first(http, trail["head"], {**window, "limit": limit}) == want[::-1]
    # an empty window, one before every row, one after: nothing, and the last page at once
    for empty in ({"since_ms": SINCE + 1_000, "until_ms": SINCE + 2_000},
                  {"until_ms": T0 - DAY}, {"since_ms": 4_000_000_000_000}):
        r = http.get("/api/v1/audit", headers=trail["head"],
                     params={**empty, "newest_first": "true"})
        assert r.json() == {"entries": [], "next_after_seq": None, "next_before_seq": None,
                            "newest_first": True}


def test_the_oldest_first_reply_keeps_its_shape(http: httpx.Client,
                                                trail: dict[str, Any]) -> None:
    params = {"actor": trail["actors"][1], "limit": 2}
    body = http.get("/api/v1/audit", headers=trail["head"], params=params).json()
    assert set(body) == {"entries", "next_after_seq", "newest_first"}
    assert body["newest_first"] is False
    assert body["next_after_seq"] == body["entries"][-1]["seq"]
    # before_seq means nothing without newest_first
    again = http.get("/api/v1/audit", headers=trail["head"],
                     params={**params, "before_seq": 1}).json()
    assert again == body


def test_hub_client_pages_newest_first(hub: HubProc, trail: dict[str, Any]) -> None:
    asyncio.run(_pages_newest_first(hub, trail))


async def _pages_newest_first(hub: HubProc, trail: dict[str, Any]) -> None:
    async with HubClient(hub.base_url) as client:
        client.token = trail["head"]["Authorization"].removeprefix("Bearer ")
        window = {"since_ms": SINCE, "until_ms": UNTIL}
        page = await client.audit(**window, limit=3, newest_first=True)
        assert page.newest_first and page.next_after_seq is None
        seqs = [e.seq for e in page.entries]
        while page.next_before_seq is not None:
            page = await client.audit(**window, limit=3, newest_first=True,
                                      before_seq=page.next_before_seq)
            seqs += [e.seq for e in page.entries]
        assert seqs == _expected(trail, **window)
        old = await client.audit(**window, limit=3)
        assert not old.newest_first and old.next_before_seq is None
        assert [e.seq for e in old.entries] == seqs[::-1][:3]


def test_hub_client_asks_an_older_hub_exactly_as_before() -> None:
    """Wire format only (an older hub is not at hand): the new parameters are left out
    unless used, and a reply without them reads as oldest first."""
    asked = asyncio.run(_ask_old_hub())
    assert dict(asked[0].params) == {"actor": "a@b.c", "since_ms": "5", "after_seq": "0",
                                     "limit": "10"}
    assert dict(asked[1].params) == {"after_seq": "0", "limit": "200", "before_seq": "42",
                                     "newest_first": "true"}


async def _ask_old_hub() -> list[httpx.URL]:
    asked: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        return httpx.Response(200, json={"entries": [], "next_after_seq": None})

    async with HubClient("http://127.0.0.1:9",
                         transport=httpx.MockTransport(answer)) as client:
        page = await client.audit(actor="a@b.c", since_ms=5, limit=10)
        assert not page.newest_first and page.next_before_seq is None
        await client.audit(newest_first=True, before_seq=42)
    return asked
