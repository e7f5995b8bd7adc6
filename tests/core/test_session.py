"""open_session / Session / roles: against a fake transport and the real sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from platform_fakes import CP, EMAIL, PASSWORD, FakePlatform
from sandbox_helpers import bank_jwt_auth

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.roles import ROLE_CAPABILITIES, Capability, capabilities_for
from teller_app.core.session import open_session
from teller_app.platform import AuthError, PasswordLogin, RetryPolicy, Unavailable
from teller_app.secrets import Profile

NO_WAIT = RetryPolicy(attempts=2, base_delay=0.0)


def profile(base_url: str = "https://platform.test", cp: str = CP, **kw: object) -> Profile:
    return Profile(name="t", base_url=base_url, counterparty_guid=cp, **kw)  # type: ignore[arg-type]


def test_role_map() -> None:
    teller = ROLE_CAPABILITIES["Teller"]
    assert Capability.CASH_CREATE in teller and Capability.DECIDE_APPROVALS not in teller
    sup = ROLE_CAPABILITIES["Supervisor"]
    assert teller < sup and {Capability.APPLY_SENSITIVE_CHANGE, Capability.VIEW_AUDIT,
                             Capability.CASH_CONFIRM_ANY_AMOUNT} <= sup
    assert Capability.CHOOSE_BRANCH not in sup
    assert ROLE_CAPABILITIES["Administrator"] == frozenset(Capability)
    assert capabilities_for(["teller", "Unknown"]) == teller
    # the read-only Auditor searches, views and reads the audit trail; it writes nothing
    assert capabilities_for(["auditor"]) == {Capability.SEARCH, Capability.VIEW_CUSTOMER,
                                             Capability.VIEW_AUDIT}


@pytest.mark.asyncio
async def test_open_session_with_fake_platform() -> None:
    fake = FakePlatform()
    session = await open_session(profile(), PasswordLogin(EMAIL, PASSWORD),
                                 transport=fake.transport(), retry=NO_WAIT)
    try:
        assert session.roles == frozenset({"Teller"}) and session.branch_name == "Kyiv"
        assert not session.is_head_office
        assert session.can(Capability.CREATE_CUSTOMER)
        assert not session.can(Capability.DECIDE_APPROVALS)
        assert not session.can(Capability.CHOOSE_BRANCH)
    finally:
        await session.close()


@pytest.mark.asyncio
async def test_disabled_employee_reason() -> None:
    fake = FakePlatform(employee_disabled=True)
    with pytest.raises(AuthError) as info:
        await open_session(profile(), PasswordLogin(EMAIL, PASSWORD), transport=fake.transport())
    assert info.value.reason == "disabled"


@pytest.mark.asyncio
async def test_unreachable_platform() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(Unavailable):
        await open_session(profile(), PasswordLogin(EMAIL, PASSWORD),
                           transport=httpx.MockTransport(refuse), retry=NO_WAIT)


@pytest.mark.asyncio
async def test_sandbox_sessions(sandbox: SandboxProcess) -> None:
    prof = profile(sandbox.base_url, sandbox.counterparty_guid, is_sandbox=True)
    kyiv = sandbox.manifest["branches"][0]
    emp = sandbox.employee("Supervisor")
    session = await open_session(prof, PasswordLogin(emp["email"], emp["password"]))
    try:
        assert session.branch_guid == kyiv["guid"] and session.branch_name == kyiv["name"]
        assert session.can(Capability.DECIDE_APPROVALS)
    finally:
        await session.close()
    admin = sandbox.employee("Administrator", None)
    session = await open_session(prof, PasswordLogin(admin["email"], admin["password"]))
    try:
        assert session.is_head_office and session.can(Capability.CHOOSE_BRANCH)
    finally:
        await session.close()
    session = await open_session(prof.model_copy(update={"auth_mode": "bank_jwt"}),
                                 bank_jwt_auth(sandbox))
    try:
        assert session.roles == frozenset({"Teller"})
    finally:
        await session.close()


@pytest.mark.asyncio
async def test_sandbox_disabled_employee(fresh_sandbox: SandboxProcess) -> None:
    sb = fresh_sandbox
    admin = sb.employee("Administrator", None)
    teller = sb.employee("Teller", 1)
    async with httpx.AsyncClient(base_url=sb.base_url) as http:  # update employee (not in client)
        flow = (await http.get("/kratos/self-service/login/api")).json()
        csrf = next(n["attributes"]["value"] for n in flow["ui"]["nodes"]
                    if n["attributes"].get("name") == "csrf_token")
        token = (await http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                                 data={"identifier": admin["email"], "password": admin["password"],
                                       "method": "password", "csrf_token": csrf})
                 ).json()["session_token"]
        r = await http.put(f"/api/v1/counterparty/{sb.counterparty_guid}/employees/"
                           f"{teller['guid']}", json={"is_disabled": True},
                           headers={"Authorization": f"bearer {token}"})
        assert r.status_code == 200, r.text
    with pytest.raises(AuthError) as info:
        await open_session(profile(sb.base_url, sb.counterparty_guid),
                           PasswordLogin(teller["email"], teller["password"]))
    assert info.value.reason == "disabled"
