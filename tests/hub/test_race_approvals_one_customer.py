"""Two requests on one customer's field (limit 1000 → 2000, 1000 → 3000), approved at the
same moment by two supervisors: at most one approved change executes per customer, so never
both end "applied" while DCM holds only one. The other is refused (409
``customer_change_in_progress``, still pending: approved again later it ends "changed since
filing") or, decided after the first ended, ends "changed since filing" itself. Runs on SQLite
and PostgreSQL (``hub_db``); across hub processes with one left approved by a crash."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import shared_hubs
from fe_helpers import new_customer, read_customer, wait_for
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.customer_drift import STALE_PREFIX
from teller_app.hub.customer_serial import CHANGE_IN_PROGRESS

shared, main_hub = shared_hubs.fixtures("race1cust")
ROUNDS = 3
VALUES = ("2000", "3000")


def _approve(hub: HubProc, headers: dict[str, str], req: dict[str, Any]) -> httpx.Response:
    with hub.client() as c:
        return c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
                      json={"sha256": req["sha256"], "comment": "ok", "desk_id": "d"})


def _get(hub: HubProc, headers: dict[str, str], rid: str) -> dict[str, Any]:
    with hub.client() as c:
        return dict(c.get(f"/api/v1/requests/{rid}", headers=headers).json())


def _refusals(hub: HubProc, headers: dict[str, str], rid: str) -> list[str]:
    with hub.client() as c:
        trail = c.get("/api/v1/audit", headers=headers, params={
            "action": "decision_refused", "limit": 1000}).json()["entries"]
    return [e["detail"]["refusal"] for e in trail if e["entity"] == f"request:{rid}"]


def _refused_while_applying(hub: HubProc, sup: dict[str, str], req: dict[str, Any],
                            answer: httpx.Response) -> None:
    """A 409 with its code; the request still pending, its refusal audited."""
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == CHANGE_IN_PROGRESS, answer.text
    waiting = _get(hub, sup, req["id"])
    assert (waiting["state"], waiting["checker"]) == ("pending", None), waiting
    assert CHANGE_IN_PROGRESS in _refusals(hub, sup, req["id"])


def test_two_approvals_at_once_on_one_customer_never_both_apply(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    with main_hub.client() as http:
        t1, t2, s1, s2 = (sign_in(http, add_employee(http, main_hub, roles=[role],
                                                     branch_guid=b0))
                          for role in ("Teller", "Teller", "Supervisor", "Supervisor"))
    for _ in range(ROUNDS):
        guid = new_customer(sandbox, b0)  # limit 1000
        reqs = [shared_hubs.file_change(main_hub, t, guid, {"balance_allowed": v}, "raise")
                for t, v in ((t1, VALUES[0]), (t2, VALUES[1]))]

        async def both(reqs: list[dict[str, Any]] = reqs) -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=main_hub.base_url, timeout=60) as c:
                return list(await asyncio.gather(*[
                    c.post(f"/api/v1/requests/{r['id']}/approve", headers=h,
                           json={"sha256": r["sha256"], "comment": "ok", "desk_id": d})
                    for r, h, d in ((reqs[0], s1, "d1"), (reqs[1], s2, "d2"))]))

        answers = asyncio.run(both())
        states = [a.json().get("state") for a in answers]
        assert states.count("applied") == 1, [a.text for a in answers]
        won = states.index("applied")
        lost = 1 - won
        on_dcm = str(read_customer(sandbox, guid).balance_allowed)
        assert on_dcm.split(".")[0] == VALUES[won], (on_dcm, states)
        other, answer = reqs[lost], answers[lost]
        if answer.status_code == 409:  # refused while the first ran: approved later, drift
            _refused_while_applying(main_hub, (s1, s2)[lost], other, answer)
            answer = _approve(main_hub, (s1, s2)[lost], other)
        assert answer.status_code == 200, answer.text
        ended = answer.json()
        assert ended["state"] == "failed", ended
        assert ended["result"].startswith(STALE_PREFIX), ended
        assert str(read_customer(sandbox, guid).balance_allowed).split(".")[0] == VALUES[won]


@pytest.mark.slow
def test_an_approval_waits_while_another_change_to_the_customer_awaits_resume(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    """A is approved on a hub that dies before its PUT (approved, not applied); B on the same
    customer, approved on another process, is refused and stays pending; once A is resumed
    and applied, B approved again ends "changed since filing", nothing of it written."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    with main_hub.client() as http:
        sup2 = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"],
                                          branch_guid=b0))
    guid = new_customer(sandbox, b0)
    a = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": VALUES[0]}, "a")
    b = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": VALUES[1]}, "b")
    crashing = shared_hubs.start(tmp_path / "a", sandbox, shared,
                                 TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    shared_hubs.approve_and_crash(crashing, sup, a)
    assert _get(main_hub, sup, a["id"])["state"] == "approved"
    _refused_while_applying(main_hub, sup2, b, _approve(main_hub, sup2, b))
    assert str(read_customer(sandbox, guid).balance_allowed).split(".")[0] == "1000"
    restarted = shared_hubs.start(tmp_path / "b", sandbox, shared,
                                  TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _get(main_hub, sup, a["id"]))["state"] != "approved"
                        and s)
        assert done["state"] == "applied", done
    finally:
        assert restarted.stop() == 0
    ended = _approve(main_hub, sup2, b)
    assert ended.status_code == 200 and ended.json()["state"] == "failed", ended.text
    assert ended.json()["result"].startswith(STALE_PREFIX), ended.text
    assert str(read_customer(sandbox, guid).balance_allowed).split(".")[0] == VALUES[0]
