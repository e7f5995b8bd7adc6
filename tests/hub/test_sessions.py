"""Hub sessions: password mode (hub store), platform mode (DCM Kratos), /me, sign-out,
disabling an employee, and bad input."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hub_proc import PASSWORD, HubProc, add_employee, branches, sign_in, unique_email

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient


def test_password_session_me_and_sign_out(http: httpx.Client, hub: HubProc,
                                          sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    email = add_employee(http, hub, roles=["Supervisor"], branch_guid=kyiv)
    r = http.post("/api/v1/sessions", json={"mode": "password", "email": email.upper(),
                                            "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["employee"] == {"email": email, "name": "Test Employee",
                                "roles": ["Supervisor"], "branch_guid": kyiv,
                                "head_office": False}
    assert body["expires_at"].endswith("Z") and len(body["token"]) >= 40
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert http.get("/api/v1/me", headers=headers).json()["email"] == email
    assert http.delete("/api/v1/sessions", headers=headers).json() == {"ok": True}
    r = http.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and "sign in again" in r.json()["error"]


def test_wrong_password_and_unknown_email(http: httpx.Client, hub: HubProc) -> None:
    email = add_employee(http, hub, head_office=True, roles=["Administrator"])
    for who, pw in ((email, "wrong password"), (unique_email(), PASSWORD)):
        r = http.post("/api/v1/sessions", json={"mode": "password", "email": who,
                                                "password": pw})
        assert r.status_code == 401 and "wrong e-mail or password" in r.json()["error"]


def test_disabled_employee_loses_access_at_once(http: httpx.Client, hub: HubProc,
                                                sandbox: SandboxProcess) -> None:
    email = add_employee(http, hub, branch_guid=branches(sandbox)[1])
    headers = sign_in(http, email)
    assert http.get("/api/v1/me", headers=headers).status_code == 200
    r = hub.cli("employees", "disable", "--email", email)
    assert r.returncode == 0, r.stderr
    assert http.get("/api/v1/me", headers=headers).status_code == 401
    r = http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                            "password": PASSWORD})
    assert r.status_code == 401
    assert hub.cli("employees", "enable", "--email", email).returncode == 0
    assert http.get("/api/v1/me", headers=sign_in(http, email)).status_code == 200


def _kratos_token(sandbox: SandboxProcess, email: str) -> str:
    emp = next(e for e in sandbox.manifest["employees"] if e["email"] == email)

    async def login() -> str:
        client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                auth=PasswordLogin(email, emp["password"]))
        try:
            await client.login()
            assert client.session_token
            return client.session_token
        finally:
            await client.aclose()

    return asyncio.run(login())


def test_platform_session_reads_roles_and_branch_from_dcm(http: httpx.Client,
                                                          sandbox: SandboxProcess) -> None:
    token = _kratos_token(sandbox, "teller.lviv@demo.bank")
    r = http.post("/api/v1/sessions", json={"mode": "platform", "session_token": token})
    assert r.status_code == 200, r.text
    emp = r.json()["employee"]
    assert emp["email"] == "teller.lviv@demo.bank" and emp["roles"] == ["Teller"]
    assert emp["branch_guid"] == branches(sandbox)[1] and emp["head_office"] is False
    me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.status_code == 200 and me.json() == emp


def test_platform_session_refused_for_bad_token(http: httpx.Client) -> None:
    r = http.post("/api/v1/sessions", json={"mode": "platform",
                                            "session_token": "not-a-kratos-session"})
    assert r.status_code == 401 and "platform session" in r.json()["error"]


@pytest.mark.parametrize("body", [
    {"mode": "password", "email": "a@b.c"},
    {"mode": "password", "email": "not-an-email", "password": "x"},
    {"mode": "password", "email": "a@b.c", "password": "x" * 5000},
    {"mode": "sorcery", "email": "a@b.c", "password": "x"},
    {"mode": "platform", "session_token": "short"},
    {"mode": "password", "email": "a@b.c", "password": "x", "extra": 1},
    [],
    "just a string",
])
def test_bad_session_bodies_are_422(http: httpx.Client, body: object) -> None:
    r = http.post("/api/v1/sessions", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("invalid request")


def test_non_json_and_missing_bearer(http: httpx.Client) -> None:
    r = http.post("/api/v1/sessions", content=b"{nope", headers={"content-type":
                                                                  "application/json"})
    assert r.status_code == 422 and "not valid JSON" in r.json()["error"]
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"},
                    {"Authorization": "Bearer " + "x" * 600}):
        r = http.get("/api/v1/me", headers=headers)
        assert r.status_code == 401 and "error" in r.json()
    assert http.delete("/api/v1/sessions", headers={"Authorization": "Bearer nope"}
                       ).status_code == 401
