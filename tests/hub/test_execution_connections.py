"""Approved changes executed one after the other reach DCM over one connection of the hub's
(each execution used to build a client of its own: a new TCP and TLS handshake for every
request approved, its connection closed after it), while each write still carries its own
approver's credentials only: Mode A the approver's DCM session, Mode B a bank JWT in their
name, never the one before's. Real hub process and sandbox over HTTP, on SQLite and
PostgreSQL; a proxy in front of the sandbox tells which connection carried each request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from dcm_seen_proxy import DcmSeenProxy
from fe_helpers import fe_env, new_customer, platform_session, platform_token
from hub_proc import HubProc, add_employee, branches, sign_in, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess

MODE_A_SUPERVISOR = "supervisor.kyiv@demo.bank"  # a DCM employee of branch 0


@pytest.fixture()
def proxied(hub_db: str | None, sandbox: SandboxProcess,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProc, DcmSeenProxy]]:
    proxy = DcmSeenProxy(sandbox.base_url).start()
    env = fe_env(sandbox, hub_db, TELLER_HUB_WATCH="0", TELLER_HUB_DCM_URL=proxy.url)
    hub = start_hub(tmp_path_factory.mktemp("exec-connections-hub"), env)
    try:
        yield hub, proxy
    finally:
        try:
            assert hub.stop() == 0, hub.log()[-3000:]
        finally:
            proxy.stop()


def _execute(hub: HubProc, teller: dict[str, str], approver: dict[str, str], guid: str,
             **approval: Any) -> None:
    with hub.client() as http:
        r = http.post("/api/v1/requests", headers=teller, json={
            "kind": "customer_update", "customer_guid": guid, "change": {"is_disabled": True},
            "reason": "connection reuse"})
        assert r.status_code == 201, r.text
        req = r.json()
        r = http.post(f"/api/v1/requests/{req['id']}/approve", headers=approver,
                      json={"sha256": req["sha256"], **approval}, timeout=60)
    assert r.status_code == 200 and r.json()["state"] == "applied", r.text


def _jwt_sub(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


@pytest.mark.slow
def test_executions_in_a_row_share_one_connection_each_with_its_own_credentials(
        proxied: tuple[HubProc, DcmSeenProxy], sandbox: SandboxProcess) -> None:
    hub, proxy = proxied
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        teller = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=b0))
        first_b = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        second_b = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        first_b_hub, second_b_hub = sign_in(http, first_b), sign_in(http, second_b)
        mode_a_token = platform_token(sandbox, MODE_A_SUPERVISOR)
        mode_a_hub = platform_session(http, mode_a_token)
    guids = [new_customer(sandbox, b0) for _ in range(3)]

    _execute(hub, teller, first_b_hub, guids[0])  # Mode B: a bank JWT in their name
    _execute(hub, teller, mode_a_hub, guids[1], session_token=mode_a_token)  # Mode A
    _execute(hub, teller, second_b_hub, guids[2])  # Mode B, another approver

    puts = [proxy.writes_to(guid) for guid in guids]
    assert [len(p) for p in puts] == [1, 1, 1], puts  # each change sent once
    first, mode_a, second = (p[0] for p in puts)
    assert first.method == mode_a.method == second.method == "PUT"
    # one connection carried the three writes: opened once, kept between executions
    assert first.connection == mode_a.connection == second.connection, puts
    assert first.connection not in proxy.closed_by_client

    # each write in its own approver's name, nothing of another execution's
    assert _jwt_sub(first.headers["cx-authorization"]) == first_b
    assert first.headers.get("authorization", "") == ""
    assert mode_a.headers["authorization"] == f"bearer {mode_a_token}"
    assert "cx-authorization" not in mode_a.headers
    assert _jwt_sub(second.headers["cx-authorization"]) == second_b
    assert second.headers.get("authorization", "") == ""
    assert mode_a_token.encode() not in second.raw
    assert second.headers["cx-authorization"] != first.headers["cx-authorization"]
    assert "cookie" not in mode_a.headers and "cookie" not in second.headers
    assert mode_a_token not in hub.log()
