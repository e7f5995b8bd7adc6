"""The execution of an approved request, in the audit as it happened (SQLite and PostgreSQL):
a stored change altered after it was filed is never executed (its SHA-256 is checked first)
and the request fails with that said; an execution another approver resumed after a crash
names who resumed it (DCM wrote under their session), with the first approver beside.
Real sandbox and hubs over HTTP; the crash is the hub's fault injector."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import shared_hubs
import sqlalchemy as sa
from fe_helpers import (
    dcm_employee,
    new_customer,
    platform_session,
    platform_token,
    read_customer,
    wait_for,
)
from hub_proc import HubProc, branches
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess

shared, main_hub = shared_hubs.fixtures("exec", TELLER_HUB_WATCH="0")


def _sql(url: str, statement: str, **params: Any) -> None:
    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text(statement), params)
        finally:
            await engine.dispose()
    asyncio.run(run())


def test_a_change_altered_after_filing_is_never_executed(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "execution audit")
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
    [row] = shared_hubs.executions(main_hub, sup, req["id"])
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
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "execution audit")
    restarted = shared_hubs.crash_and_restart(tmp_path, sandbox, shared, s1_hub, req,
                                              session_token=s1_token)
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
    [row] = shared_hubs.executions(main_hub, s2_hub, req["id"])
    assert row["actor"] == s2
    assert row["detail"]["approved_by"] == s1 and row["detail"]["resumed"] is True
    assert row["detail"]["desk_id"] == "desk-s2" and row["detail"]["state"] == "applied"
