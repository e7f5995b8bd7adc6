"""GET /alerts in pages on a real hub, SQLite and PostgreSQL: the list was cut at ``limit``
(100 unless asked) with nothing to say so, and a desk asking with no limit never saw its
branch's older open alerts. Now the reply says ``more`` and where to go on
(``next_before_id``); ``before_id`` pages down, newest first, without gaps or repeats, in a
state or in all of them; a branch checker still sees only their branch."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from alert_rows import insert_alerts
from hub_proc import HubProc, add_employee, sign_in

OPEN, ACKED = 230, 40


@pytest.fixture(scope="module")
def seeded(hub: HubProc) -> dict[str, Any]:
    """Alerts of a branch of its own (open and acknowledged, interleaved), and of another."""
    mine, other = str(uuid.uuid4()), str(uuid.uuid4())
    rows = []
    for i in range(OPEN + ACKED + 30):
        branch = other if i % 10 == 9 else mine
        rows.append({"customer_guid": f"cust-{i}", "branch_guid": branch, "detected_at": i,
                     "detail": '{"fields": ["status"]}',
                     "state": "acknowledged" if i % 7 == 3 else "open"})

    insert_alerts(hub, rows)
    with hub.client() as http:
        checker = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=mine))
        head = sign_in(http, add_employee(http, hub, roles=["Supervisor"], head_office=True))
    return {"rows": rows, "mine": mine, "other": other, "checker": checker, "head": head}


def _pages(http: httpx.Client, headers: dict[str, str], params: dict[str, Any]
           ) -> tuple[list[int], list[list[dict[str, Any]]]]:
    ids: list[int] = []
    pages: list[list[dict[str, Any]]] = []
    before: int | None = None
    while True:
        query = {**params, **({} if before is None else {"before_id": before})}
        r = http.get("/api/v1/alerts", headers=headers, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body["alerts"])
        ids += [a["id"] for a in body["alerts"]]
        if not body["more"]:
            assert body["next_before_id"] is None
            return ids, pages
        assert body["next_before_id"] == body["alerts"][-1]["id"]
        before = body["next_before_id"]
        assert len(pages) < 100


def _branch_ids(http: httpx.Client, seeded: dict[str, Any], state: str) -> list[int]:
    """The branch's alerts in that state, newest first, read in one page of 500."""
    r = http.get("/api/v1/alerts", headers=seeded["checker"],
                 params={"state": state, "limit": 500})
    assert r.status_code == 200 and r.json()["more"] is False
    return [a["id"] for a in r.json()["alerts"]]


def test_a_desk_asking_without_a_limit_is_told_there_are_more(
        http: httpx.Client, seeded: dict[str, Any]) -> None:
    rows = seeded["rows"]
    want_open = sum(1 for r in rows if r["branch_guid"] == seeded["mine"]
                    and r["state"] == "open")
    assert want_open > 100
    first = http.get("/api/v1/alerts", headers=seeded["checker"]).json()
    assert len(first["alerts"]) == 100 and first["more"] is True  # was: 100, nothing said
    assert first["next_before_id"] == first["alerts"][-1]["id"]
    ids, pages = _pages(http, seeded["checker"], {})
    assert [len(p) for p in pages] == [100, 100, want_open - 200]
    assert ids == _branch_ids(http, seeded, "open") and len(ids) == want_open
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert {a["branch_guid"] for p in pages for a in p} == {seeded["mine"]}
    assert {a["state"] for p in pages for a in p} == {"open"}
    assert pages[0][0]["fields"] == ["status"]  # the detail is in the reply as before


@pytest.mark.parametrize("state", ["open", "acknowledged", ""])
def test_pages_go_down_without_gaps_or_repeats(http: httpx.Client, seeded: dict[str, Any],
                                               state: str) -> None:
    mine = [r for r in seeded["rows"] if r["branch_guid"] == seeded["mine"]
            and (not state or r["state"] == state)]
    for limit in (7, 50, len(mine)):
        ids, pages = _pages(http, seeded["checker"], {"state": state, "limit": limit})
        assert len(ids) == len(mine) and len(set(ids)) == len(ids), limit
        assert ids == sorted(ids, reverse=True)
        assert all(len(p) == limit for p in pages[:-1]) and 0 < len(pages[-1]) <= limit
        assert sorted(a["customer_guid"] for p in pages for a in p) == \
            sorted(r["customer_guid"] for r in mine)
    # a page below an id holds only older alerts
    ids, _ = _pages(http, seeded["checker"], {"state": state, "limit": 500})
    r = http.get("/api/v1/alerts", headers=seeded["checker"],
                 params={"state": state, "before_id": ids[10], "limit": 5}).json()
    assert [a["id"] for a in r["alerts"]] == ids[11:16] and r["more"] is True


def test_head_office_pages_every_branch(http: httpx.Client, seeded: dict[str, Any]) -> None:
    ids, pages = _pages(http, seeded["head"], {"limit": 60})
    assert len(set(ids)) == len(ids) and ids == sorted(ids, reverse=True)
    seen = {a["customer_guid"]: a["branch_guid"] for p in pages for a in p}
    mine = {r["customer_guid"]: r["branch_guid"] for r in seeded["rows"]
            if r["state"] == "open"}
    assert {c: seen.get(c) for c in mine} == mine  # both branches, none lost
