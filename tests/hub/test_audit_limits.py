"""The audit log cannot be used to exhaust the hub (SQLite and PostgreSQL): a detail is capped
as canonical JSON, a request at the desk's batch size, a page of GET /audit by bytes as well
as rows (with the cursor to go on), and /audit/verify walks once and reuses its verdict for
employees. Also: only a head-office Administrator changes the bank-wide cash limits."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fe_db import db_url
from hub_proc import HubProc, add_employee, branches, sign_in
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.audit import BATCH
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import audit
from teller_app.hub.fe_models import AUDIT_DETAIL_MAX_BYTES
from teller_app.hub.routes_audit import PAGE_BYTES


@pytest.fixture(scope="module")
def people(hub: HubProc, sandbox: SandboxProcess) -> dict[str, Any]:
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
        return {"b0": b0, "teller_email": teller, "teller": sign_in(http, teller),
                "sup": sign_in(http, add_employee(http, hub, roles=["Supervisor"],
                                                  branch_guid=b0))}


def _post(http: httpx.Client, headers: dict[str, str], entries: list[dict[str, Any]]
          ) -> httpx.Response:
    return http.post("/api/v1/audit", headers=headers, json={"desk_id": "d", "entries": entries})


def _detail_of_size(size: int) -> dict[str, str]:
    return {"a": "x" * (size - len('{"a":""}'))}


def test_detail_and_batch_caps(http: httpx.Client, people: dict[str, Any]) -> None:
    teller = people["teller"]
    assert _post(http, teller, [{"action": "other",
                                 "detail": _detail_of_size(AUDIT_DETAIL_MAX_BYTES)}]
                 ).status_code == 200
    r = _post(http, teller, [{"action": "other",
                              "detail": _detail_of_size(AUDIT_DETAIL_MAX_BYTES + 1)}])
    assert r.status_code == 422
    assert "detail is too large" in r.json()["error"] and "at most 8192" in r.json()["error"]
    # counted in UTF-8: 5 000 Cyrillic letters are 10 000 bytes
    r = _post(http, teller, [{"action": "other", "detail": {"name": "Ж" * 5000}}])
    assert r.status_code == 422
    # the desk's outbox batch goes in one request; more does not
    entries = [{"action": "edit", "entity": "customer:x", "detail": {"fields": ["phone"]},
                "client_id": f"cap-{uuid.uuid4().hex}"} for _ in range(BATCH + 1)]
    assert _post(http, teller, entries[:BATCH]).status_code == 200
    assert _post(http, teller, entries).status_code == 422


def _append_legacy(hub: HubProc, actor: str, branch: str, n: int, size: int) -> None:
    """Entries as a hub before the cap stored them (megabytes of detail each)."""
    async def run() -> None:
        engine = create_async_engine(db_url(hub))
        try:
            for _ in range(n):
                async with engine.begin() as conn:
                    await audit.append(conn, audit.Entry(
                        actor=actor, action="other", detail=_detail_of_size(size),
                        desk_id="old-desk", branch_guid=branch))
        finally:
            await engine.dispose()
    asyncio.run(run())


def test_a_page_stops_at_its_byte_budget_and_gives_the_cursor(
        http: httpx.Client, hub: HubProc, people: dict[str, Any]) -> None:
    email = add_employee(http, hub, roles=["Teller"], branch_guid=people["b0"])
    me = sign_in(http, email)
    assert _post(http, me, [{"action": "sign_in", "detail": {}}]).status_code == 200
    _append_legacy(hub, email, people["b0"], 3, PAGE_BYTES * 2 // 3)
    assert _post(http, me, [{"action": "sign_out", "detail": {}}]).status_code == 200
    seen: list[str] = []
    after, pages = 0, 0
    while True:
        r = http.get("/api/v1/audit", headers=me, params={"after_seq": after, "limit": 1000})
        assert r.status_code == 200
        assert len(r.content) < PAGE_BYTES + PAGE_BYTES * 2 // 3  # one big row past, at most
        body = r.json()
        seen += [e["action"] for e in body["entries"] if e["desk_id"] != "hub"]  # the desk's
        pages += 1
        if body["next_after_seq"] is None:
            break
        assert body["next_after_seq"] == body["entries"][-1]["seq"]
        after = body["next_after_seq"]
    assert seen == ["sign_in", "other", "other", "other", "sign_out"] and pages == 3
    # a row limit says "more" too; the last page says none
    r = http.get("/api/v1/audit", headers=me, params={"limit": 1, "action": "sign_out"})
    assert r.json()["next_after_seq"] is None
    r = http.get("/api/v1/audit", headers=me, params={"limit": 1})
    assert r.json()["next_after_seq"] == r.json()["entries"][0]["seq"]


def test_verify_reuses_a_recent_walk_for_employees(http: httpx.Client, hub: HubProc,
                                                   people: dict[str, Any]) -> None:
    sup, admin = people["sup"], {"Authorization": f"Bearer {hub.admin_token}"}
    first = http.get("/api/v1/audit/verify", headers=sup)
    assert first.status_code == 200 and first.json()["ok"]
    assert _post(http, people["teller"], [{"action": "other", "detail": {}}]).status_code == 200
    again = http.get("/api/v1/audit/verify", headers=sup).json()
    assert again == first.json()  # the same walk, not a new one
    fresh = http.get("/api/v1/audit/verify", headers=admin).json()  # IT: always a walk
    assert fresh["ok"] and fresh["count"] == again["count"] + 1
    assert fresh["checked_at_ms"] >= again["checked_at_ms"]
    # an employee cannot make it walk again and again with other archived heads
    heads = [{"head_seq": n, "head_hash": "0" * 64} for n in (1, 2)]
    codes = [http.get("/api/v1/audit/verify", headers=sup, params=p) for p in heads]
    assert codes[-1].status_code == 429 and int(codes[-1].headers["Retry-After"]) > 0
    assert codes[-1].json()["code"] == "audit_verify_busy"


def test_only_head_office_administrators_change_the_cash_limits(
        http: httpx.Client, hub: HubProc, people: dict[str, Any]) -> None:
    branch_admin = sign_in(http, add_employee(http, hub, roles=["Administrator"],
                                              branch_guid=people["b0"]))
    ho_admin = sign_in(http, add_employee(http, hub, roles=["Administrator"],
                                          head_office=True))
    ho_sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], head_office=True))
    limits = http.get("/api/v1/cash/limits", headers=branch_admin).json()
    looser = {**limits, "teller_daily_limit": "99999999"}
    for who in (branch_admin, ho_sup):
        r = http.put("/api/v1/cash/limits", headers=who, json=looser)
        assert r.status_code == 403 and "head-office Administrator" in r.json()["error"]
        assert r.json()["code"] == "head_office_only"  # as PUT /policy's refusal
    assert http.get("/api/v1/cash/limits", headers=ho_admin).json() == limits
    r = http.put("/api/v1/cash/limits", headers=ho_admin, json=limits)
    assert r.status_code == 200, r.text
