"""The execution of an approved request, in the audit as it happened (SQLite and PostgreSQL):
a stored change altered after it was filed is never executed (its SHA-256 is checked first)
and the request fails with that said; an execution another approver resumed after a crash
names who resumed it (DCM wrote under their session), with the first approver beside.
Real sandbox and hubs over HTTP; the crash is the hub's fault injector."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fe_helpers import (
    dcm_employee,
    new_customer,
    platform_session,
    platform_token,
    read_customer,
    start_fe_hub,
    wait_for,
)
from hub_proc import HubProc, add_employee, branches, sign_in
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess

CRASHED = 99  # the fault injector's exit code


@pytest.fixture(scope="module")
def shared(hub_db: str | None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Settings every hub of this module shares: one database, master key and admin token."""
    url = hub_db or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('exec-db') / 'hub.db'}"
    return {"TELLER_HUB_DATABASE_URL": url,
            "TELLER_HUB_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "TELLER_HUB_ADMIN_TOKEN": "exec-admin-" + uuid.uuid4().hex}


@pytest.fixture(scope="module")
def main_hub(shared: dict[str, str], sandbox: SandboxProcess,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    hub = start_fe_hub(tmp_path_factory.mktemp("exec-main"), sandbox,
                       shared["TELLER_HUB_DATABASE_URL"], **shared, TELLER_HUB_WATCH="0")
    yield hub
    assert hub.stop() == 0, hub.log()[-3000:]


def _sql(url: str, statement: str, **params: Any) -> None:
    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text(statement), params)
        finally:
            await engine.dispose()
    asyncio.run(run())


def _executions(hub: HubProc, headers: dict[str, str], rid: str) -> list[dict[str, Any]]:
    with hub.client() as c:
        entries = c.get("/api/v1/audit", headers=headers,
                        params={"action": "execution", "limit": 1000}).json()["entries"]
    return [e for e in entries if e["entity"] == f"request:{rid}"]


def _file(hub: HubProc, headers: dict[str, str], guid: str,
          change: dict[str, Any]) -> dict[str, Any]:
    with hub.client() as c:
        r = c.post("/api/v1/requests", headers=headers, json={
            "kind": "customer_update", "customer_guid": guid, "change": change,
            "reason": "execution audit"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_change_altered_after_filing_is_never_executed(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    with main_hub.client() as http:
        teller = sign_in(http, add_employee(http, main_hub, roles=["Teller"], branch_guid=b0))
        sup = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"], branch_guid=b0))
    guid = new_customer(sandbox, b0)
    req = _file(main_hub, teller, guid, {"is_disabled": True})
    # someone with the database's rights swaps the stored change (the hash stays)
    _sql(shared["TELLER_HUB_DATABASE_URL"],
         "UPDATE commands SET change_json = :change WHERE id = :id",
         change='{"is_disabled":true,"kyc_level":0}', id=req["id"])
    with main_hub.client() as c:
        r = c.post(f"/api/v1/requests/{req['id']}/approve", headers=sup,
                   json={"sha256": req["sha256"]})  # what the supervisor was shown
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "failed" and "SHA-256" in done["result"], done
    on_dcm = read_customer(sandbox, guid)
    assert on_dcm.is_disabled is False and on_dcm.kyc_level == 2  # nothing applied
    [row] = _executions(main_hub, sup, req["id"])
    assert row["detail"]["state"] == "failed" and "SHA-256" in row["detail"]["result"]


@pytest.mark.slow
def test_an_execution_resumed_by_another_approver_names_them(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    """Mode A: s1 approves, the hub dies before executing; the restarted hub cannot finish
    without a session; s2 resumes with theirs, so DCM writes under s2: the audit says s2."""
    b0 = branches(sandbox)[0]
    s1 = "supervisor.kyiv@demo.bank"
    s2, s2_password = dcm_employee(sandbox, ["Supervisor"], b0)
    with main_hub.client() as http:
        teller = platform_session(http, platform_token(sandbox, "teller.kyiv@demo.bank"))
        s1_token = platform_token(sandbox, s1)
        s1_hub = platform_session(http, s1_token)
        s2_token = platform_token(sandbox, s2, s2_password)
        s2_hub = platform_session(http, s2_token)
    guid = new_customer(sandbox, b0)
    req = _file(main_hub, teller, guid, {"is_disabled": True})
    crashing = start_fe_hub(tmp_path / "a", sandbox, shared["TELLER_HUB_DATABASE_URL"],
                            **shared, TELLER_HUB_WATCH="0",
                            TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    with crashing.client() as c, pytest.raises(httpx.TransportError):
        c.post(f"/api/v1/requests/{req['id']}/approve", headers=s1_hub,
               json={"sha256": req["sha256"], "session_token": s1_token})
    assert crashing.process.wait(15) == CRASHED
    restarted = start_fe_hub(tmp_path / "b", sandbox, shared["TELLER_HUB_DATABASE_URL"],
                             **shared, TELLER_HUB_WATCH="0", TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        def interrupted() -> bool:
            with restarted.client() as c:
                got = c.get(f"/api/v1/requests/{req['id']}", headers=s2_hub).json()
            return "interrupted" in (got.get("result") or "")
        wait_for(interrupted, timeout=20, interval=0.2)
        assert read_customer(sandbox, guid).is_disabled is False
        with restarted.client() as c:
            r = c.post(f"/api/v1/requests/{req['id']}/resume", headers=s2_hub,
                       json={"session_token": s2_token, "desk_id": "desk-s2"})
        assert r.status_code == 200 and r.json()["state"] == "applied", r.text
        assert r.json()["checker"] == s1  # the decision stays s1's
    finally:
        assert restarted.stop() == 0, restarted.log()[-3000:]
    assert read_customer(sandbox, guid).is_disabled is True
    [row] = _executions(main_hub, s2_hub, req["id"])
    assert row["actor"] == s2
    assert row["detail"]["approved_by"] == s1 and row["detail"]["resumed"] is True
    assert row["detail"]["desk_id"] == "desk-s2" and row["detail"]["state"] == "applied"
