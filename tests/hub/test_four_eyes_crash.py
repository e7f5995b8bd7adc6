"""Kill tests: a hub dies right after the decision commit (or right after DCM applied the
change); a restarted hub resumes and the change is applied exactly once."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fe_helpers import (
    SseReader,
    new_customer,
    platform_session,
    platform_token,
    read_customer,
    start_fe_hub,
    wait_for,
)
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

CRASHED = 99  # the fault injector's exit code


@pytest.fixture(scope="module")
def shared(hub_db: str | None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Settings every hub of this module shares: one database, master key and admin token."""
    url = hub_db or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('crash-db') / 'hub.db'}"
    return {"TELLER_HUB_DATABASE_URL": url,
            "TELLER_HUB_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "TELLER_HUB_ADMIN_TOKEN": "crash-admin-" + uuid.uuid4().hex}


@pytest.fixture(scope="module")
def main_hub(shared: dict[str, str], sandbox: SandboxProcess,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    hub = start_fe_hub(tmp_path_factory.mktemp("main"), sandbox,
                       shared["TELLER_HUB_DATABASE_URL"], **shared)
    yield hub
    assert hub.stop() == 0


def _hub(tmp: Path, sandbox: SandboxProcess, shared: dict[str, str], **env: str) -> HubProc:
    return start_fe_hub(tmp, sandbox, shared["TELLER_HUB_DATABASE_URL"], **shared,
                        TELLER_HUB_WATCH="0", **env)


def _state(main: HubProc, headers: dict[str, str], rid: str) -> dict[str, Any]:
    with main.client() as c:
        return dict(c.get(f"/api/v1/requests/{rid}", headers=headers).json())


def _executions(main: HubProc, headers: dict[str, str], rid: str) -> list[dict[str, Any]]:
    with main.client() as c:
        entries = c.get("/api/v1/audit", headers=headers,
                        params={"action": "execution", "limit": 1000}).json()["entries"]
    return [e for e in entries if e["entity"] == f"request:{rid}"]


def _file(main: HubProc, headers: dict[str, str], guid: str) -> dict[str, Any]:
    with main.client() as c:
        r = c.post("/api/v1/requests", headers=headers, json={
            "kind": "customer_update", "customer_guid": guid,
            "change": {"is_disabled": True}, "reason": "kill test"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _approve_on(hub: HubProc, headers: dict[str, str], req: dict[str, Any],
                **extra: Any) -> None:
    with hub.client() as c, pytest.raises(httpx.TransportError):
        c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
               json={"sha256": req["sha256"], **extra})
    assert hub.process.wait(15) == CRASHED


@pytest.mark.slow
def test_killed_after_decision_resumes_and_applies_once(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    b0 = branches(sandbox)[0]
    with main_hub.client() as http:
        teller = sign_in(http, add_employee(http, main_hub, roles=["Teller"], branch_guid=b0))
        sup = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"], branch_guid=b0))
    guid = new_customer(sandbox, b0)
    req = _file(main_hub, teller, guid)
    crashing = _hub(tmp_path / "a", sandbox, shared, TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    _approve_on(crashing, sup, req)
    got = _state(main_hub, sup, req["id"])
    assert got["state"] == "approved" and got["execution_started_at"]
    assert read_customer(sandbox, guid).is_disabled is False  # decided, not yet executed
    restarted = _hub(tmp_path / "b", sandbox, shared, TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _state(main_hub, sup, req["id"]))["state"] != "approved"
                        and s)
        assert done["state"] == "applied", done
        assert read_customer(sandbox, guid).is_disabled is True
        assert len(_executions(main_hub, sup, req["id"])) == 1
    finally:
        assert restarted.stop() == 0


@pytest.mark.slow
def test_killed_after_execution_is_not_applied_twice(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    b0 = branches(sandbox)[0]
    with main_hub.client() as http:
        teller = sign_in(http, add_employee(http, main_hub, roles=["Teller"], branch_guid=b0))
        sup = sign_in(http, add_employee(http, main_hub, roles=["Supervisor"], branch_guid=b0))
    guid = new_customer(sandbox, b0)
    req = _file(main_hub, teller, guid)
    crashing = _hub(tmp_path / "a", sandbox, shared, TELLER_HUB_TEST_CRASH_AFTER_EXECUTION="1")
    _approve_on(crashing, sup, req)
    after_put = read_customer(sandbox, guid)
    assert after_put.is_disabled is True
    assert _state(main_hub, sup, req["id"])["state"] == "approved"
    restarted = _hub(tmp_path / "b", sandbox, shared, TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _state(main_hub, sup, req["id"]))["state"] != "approved"
                        and s)
        assert done["state"] == "applied" and "found on DCM" in done["result"]
        assert read_customer(sandbox, guid).updated_at == after_put.updated_at  # no 2nd PUT
        assert len(_executions(main_hub, sup, req["id"])) == 1
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
    req = _file(main_hub, teller, guid)
    stream = SseReader(main_hub.base_url, sup)
    try:
        crashing = _hub(tmp_path / "a", sandbox, shared,
                        TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
        _approve_on(crashing, sup, req, session_token=token)
        restarted = _hub(tmp_path / "b", sandbox, shared, TELLER_HUB_EXECUTION_STALE_S="0")
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
