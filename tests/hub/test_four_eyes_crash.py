"""Kill tests: a hub dies right after the decision commit (or right after DCM applied the
change); a restarted hub resumes and the change is applied exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shared_hubs
from fe_helpers import (
    SseReader,
    new_customer,
    platform_session,
    platform_token,
    read_customer,
    wait_for,
)
from hub_proc import HubProc, branches

from teller_app.core.embedded_sandbox import SandboxProcess

shared, main_hub = shared_hubs.fixtures("crash")


def _state(main: HubProc, headers: dict[str, str], rid: str) -> dict[str, Any]:
    with main.client() as c:
        return dict(c.get(f"/api/v1/requests/{rid}", headers=headers).json())


@pytest.mark.slow
def test_killed_after_decision_resumes_and_applies_once(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "kill test")
    crashing = shared_hubs.start(tmp_path / "a", sandbox, shared,
                                 TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    shared_hubs.approve_and_crash(crashing, sup, req)
    got = _state(main_hub, sup, req["id"])
    assert got["state"] == "approved" and got["execution_started_at"]
    assert read_customer(sandbox, guid).is_disabled is False  # decided, not yet executed
    restarted = shared_hubs.start(tmp_path / "b", sandbox, shared, TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _state(main_hub, sup, req["id"]))["state"] != "approved"
                        and s)
        assert done["state"] == "applied", done
        assert read_customer(sandbox, guid).is_disabled is True
        assert len(shared_hubs.executions(main_hub, sup, req["id"])) == 1
    finally:
        assert restarted.stop() == 0


@pytest.mark.slow
def test_killed_after_execution_is_not_applied_twice(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "kill test")
    crashing = shared_hubs.start(tmp_path / "a", sandbox, shared,
                                 TELLER_HUB_TEST_CRASH_AFTER_EXECUTION="1")
    shared_hubs.approve_and_crash(crashing, sup, req)
    after_put = read_customer(sandbox, guid)
    assert after_put.is_disabled is True
    assert _state(main_hub, sup, req["id"])["state"] == "approved"
    restarted = shared_hubs.start(tmp_path / "b", sandbox, shared, TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _state(main_hub, sup, req["id"]))["state"] != "approved"
                        and s)
        assert done["state"] == "applied" and "found on DCM" in done["result"]
        assert read_customer(sandbox, guid).updated_at == after_put.updated_at  # no 2nd PUT
        assert len(shared_hubs.executions(main_hub, sup, req["id"])) == 1
    finally:
        assert restarted.stop() == 0


@pytest.mark.slow
def test_mode_a_interrupted_is_reported_then_resumed_by_an_approver(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    """Mode A: the approver's token was never stored, so the hub cannot finish alone: it
    tells the supervisors, and an approver resumes with their own platform session."""
    b0 = branches(sandbox)[0]
    with main_hub.client() as http:
        teller = platform_session(http, platform_token(sandbox, "teller.kyiv@demo.bank"))
        token = platform_token(sandbox, "supervisor.kyiv@demo.bank")
        sup = platform_session(http, token)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "kill test")
    stream = SseReader(main_hub.base_url, sup)
    try:
        restarted = shared_hubs.crash_and_restart(tmp_path, sandbox, shared, sup, req,
                                                  session_token=token)
        try:
            stream.wait(lambda e: e["kind"] == "request.interrupted"
                        and e["request_id"] == req["id"], timeout=20)
            assert read_customer(sandbox, guid).is_disabled is False
            with restarted.client() as c:
                r = c.post(f"/api/v1/requests/{req['id']}/resume", headers=sup,
                           json={"session_token": token})
            assert r.status_code == 200 and r.json()["state"] == "applied", r.text
            assert read_customer(sandbox, guid).is_disabled is True
        finally:
            assert restarted.stop() == 0
    finally:
        stream.close()
    assert token not in (tmp_path / "a" / "hub.log").read_text()
