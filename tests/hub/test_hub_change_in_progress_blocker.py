"""The 409 ``customer_change_in_progress`` names the request that blocks it (``blocking``: its
id and whether it executes or awaits Resume), so the approver knows which one to wait for or
resume, but only to a caller who may read that request: a supervisor of the branch the
customer moved to, whose branch never saw the blocker, is told only that one exists. Runs on
SQLite and PostgreSQL (``hub_db``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import shared_hubs
from fe_helpers import ADMIN, new_customer, put_customer
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.approval_outcomes import BlockingChange, ChangeInProgress, four_eyes_error
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.customer_serial import CHANGE_IN_PROGRESS
from teller_app.platform._http_answer import read_answer
from teller_app.platform.errors import Conflict

shared, main_hub = shared_hubs.fixtures("blocker")


def _approve(hub: HubProc, headers: dict[str, str], req: dict[str, Any]) -> httpx.Response:
    with hub.client() as c:
        return c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
                      json={"sha256": req["sha256"], "comment": "ok", "desk_id": "d"})


def _blocking(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["code"] == CHANGE_IN_PROGRESS, body
    assert isinstance(body.get("blocking"), dict), body
    return dict(body["blocking"])


def test_the_refusal_names_the_blocking_request_to_whoever_may_read_it(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    b1 = branches(sandbox)[1]
    with main_hub.client() as http:
        sup2 = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"], branch_guid=b0))
        teller1 = sign_in(http, add_employee(http, main_hub, roles=["Teller"], branch_guid=b1))
        sup1 = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"], branch_guid=b1))
        head = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"], branch_guid=b0,
                                          head_office=True))
    guid = new_customer(sandbox, b0)
    a = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "2000"}, "a")
    b = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "3000"}, "b")
    crashing = shared_hubs.start(tmp_path / "a", sandbox, shared,
                                 TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    shared_hubs.approve_and_crash(crashing, sup, a)  # approved, its PUT never sent

    answer = _approve(main_hub, sup2, b)
    assert _blocking(answer) == {"request_id": a["id"], "state": "executing"}
    # the desk's client carries the name onto the typed outcome the inbox words
    try:
        read_answer(answer, "POST", str(answer.request.url.path))
    except Conflict as exc:
        outcome = four_eyes_error(exc)
    assert isinstance(outcome, ChangeInProgress)
    assert outcome.blocking == BlockingChange(a["id"], awaiting_resume=False)
    # the customer moves to branch 1, where C is filed: A (branch 0's) is not theirs to read
    put_customer(sandbox, ADMIN, guid, branch_guid=b1)
    c = shared_hubs.file_change(main_hub, teller1, guid, {"balance_allowed": "4000"}, "c")
    assert _blocking(_approve(main_hub, sup1, c)) == {}
    assert _blocking(_approve(main_hub, head, c)) == {"request_id": a["id"],
                                                      "state": "executing"}


def test_a_resumed_blocker_reads_as_executing_not_awaiting_resume(tmp_path: Path) -> None:
    """Reported interrupted, then taken up by a Resume: it executes again, so a sibling's
    refusal must not send its approver to Resume it (a second Resume does nothing)."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    from teller_app.hub import commands
    from teller_app.hub.customer_serial import blocker
    from teller_app.hub.db import metadata
    from teller_app.hub.fe_tables import commands as rows
    from teller_app.hub.models import HubEmployee

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: rows.create(sync))
            await conn.run_sync(lambda sync: metadata.tables["events"].create(sync))
            for cid, state in (("X", "approved"), ("Y", "pending")):
                await conn.execute(rows.insert().values(
                    id=cid, kind="customer_update", customer_guid="C", branch_guid="B",
                    change_json="{}", change_sha256="h", maker="t@b", created_at=1,
                    state=state, decided_at=1, checker_source="hub", execution_started_at=1))
        sup = HubEmployee("s@b", "S", ("Supervisor",), "B", False, "hub")
        cmd = await commands.get(engine, "X")
        assert cmd is not None
        await commands.report_interrupted(engine, cmd, "interrupted")
        async with engine.connect() as conn:
            before = await blocker(conn, "C", "Y", sup)
        assert await commands.claim_execution(engine, "X", commands.now() - 1) is not None
        async with engine.connect() as conn:
            during = await blocker(conn, "C", "Y", sup)
        await engine.dispose()
        return before, during

    before, during = asyncio.run(run())
    assert before == {"request_id": "X", "state": "awaiting_resume"}
    assert during == {"request_id": "X", "state": "executing"}
