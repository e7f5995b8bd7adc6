"""Mode A hub sessions live no longer than their DCM session, and refused DCM tokens are
counted against the e-mail (SQLite and PostgreSQL; real sandbox and hub over HTTP).

- the hub session's expiry is capped at the DCM session's; its DCM token is kept sealed;
- after the employee signed out of DCM, the next state-changing hub call is refused and the
  hub session ends (audited); reads before it still answer;
- an approver's refused platform tokens (``signin_throttle.token_attempt``) lock the e-mail,
  and a locked e-mail's platform sign-in is refused with 429 before a session is made.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fe_helpers import dcm_employee, platform_session
from fe_helpers import platform_token as dcm_token
from hub_proc import HubProc, add_employee, branches, hub_env, sign_in, start_hub
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.crypto import MasterKey
from teller_app.hub.errors import HubError
from teller_app.hub.models import HubEmployee
from teller_app.hub.sessions import PLATFORM_AAD, Found, platform_token
from teller_app.hub.signin_throttle import FREE_PER_EMAIL, token_attempt

MASTER = os.urandom(32)


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_hub(tmp_path_factory.mktemp("liveness"),
                     hub_env(sandbox, hub_db, master_key=MASTER))
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def _dcm_teller(sandbox: SandboxProcess) -> tuple[str, str]:
    """A DCM teller of their own (signing them out disturbs no other test): (e-mail, token)."""
    email, password = dcm_employee(sandbox, ["Teller"], branches(sandbox)[0])
    return email, dcm_token(sandbox, email, password)


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _hub_url(hub: HubProc, hub_db: str | None) -> str:
    return hub_db or f"sqlite+aiosqlite:///{hub.data_dir / 'hub.db'}"


def test_the_hub_session_ends_with_the_dcm_session(http: httpx.Client, hub: HubProc,
                                                   sandbox: SandboxProcess,
                                                   hub_db: str | None) -> None:
    email, token = _dcm_teller(sandbox)
    whoami = httpx.get(f"{sandbox.base_url}/kratos/sessions/whoami",
                       headers={"X-Session-Token": token}, timeout=10)
    assert whoami.status_code == 200
    dcm_ends = _epoch(whoami.json()["expires_at"])
    headers = platform_session(http, token)
    r = http.post("/api/v1/sessions", json={"mode": "platform", "session_token": token})
    assert r.status_code == 200, r.text
    hub_ends = _epoch(r.json()["expires_at"])
    assert hub_ends <= dcm_ends + 1  # the hub's 8 hours would be far later
    assert http.get("/api/v1/me", headers=headers).json()["email"] == email

    dump: list[Any] = []

    async def read(engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            dump.extend((await conn.execute(sa.text("SELECT * FROM sessions"))).all())

    run_on_engine(_hub_url(hub, hub_db), read)
    assert dump and token not in repr(dump)  # sealed, never readable


def test_signed_out_of_dcm_the_hub_session_changes_nothing(http: httpx.Client, hub: HubProc,
                                                           sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    email, token = _dcm_teller(sandbox)
    headers = platform_session(http, token)
    _, live_token = _dcm_teller(sandbox)
    live = platform_session(http, live_token)
    out = httpx.request("DELETE", f"{sandbox.base_url}/kratos/self-service/logout/api",
                        json={"session_token": token}, timeout=10)
    assert out.status_code == 204
    assert http.get("/api/v1/me", headers=headers).status_code == 200  # reads: not re-asked

    body = {"external_id": f"live.{os.urandom(4).hex()}@example.ua", "branch_guid": kyiv}
    refused = http.post("/api/v1/secrets", json=body, headers=headers)
    assert refused.status_code == 401 and "DCM session has ended" in refused.json()["error"]
    assert http.get("/api/v1/me", headers=headers).status_code == 401  # the session is gone
    ok = http.post("/api/v1/secrets", json=body, headers=live)  # a live DCM session works
    assert ok.status_code == 200 and ok.json()["created"] is True, ok.text

    admin = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    trail = http.get("/api/v1/audit", headers=admin,
                     params={"action": "sign_out", "limit": 1000}).json()["entries"]
    ended = [e for e in trail if e["actor"] == email]
    assert ended and ended[-1]["detail"]["reason"] == "platform_session_ended"


def test_refused_approver_tokens_lock_the_email_for_platform_sign_in(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess, hub_db: str | None) -> None:
    email, token = _dcm_teller(sandbox)
    platform_session(http, token)  # DCM's employee list (the hub's copy) knows them now
    asked: list[int] = []

    async def refuse(engine: AsyncEngine) -> None:
        master = MasterKey(MASTER)
        for _ in range(FREE_PER_EMAIL):
            with pytest.raises(HubError) as refused:
                async with token_attempt(engine, master, email):
                    asked.append(1)
                    raise HubError(401, "DCM says your platform session is not valid")
            assert refused.value.status == 401
        with pytest.raises(HubError) as locked:
            async with token_attempt(engine, master, email):
                asked.append(1)  # never: DCM is not asked while the e-mail is locked
        assert (locked.value.status, locked.value.code) == (429, "sign_in_throttled")

    run_on_engine(_hub_url(hub, hub_db), refuse)
    assert len(asked) == FREE_PER_EMAIL
    r = http.post("/api/v1/sessions", json={"mode": "platform", "session_token": token})
    assert r.status_code == 429 and r.json()["code"] == "sign_in_throttled", r.text
    assert int(r.headers["Retry-After"]) > 0


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def test_token_attempts_count_only_refusals(db_url: str) -> None:
    """DCM unreachable (503) is never the caller's fault; a good token clears the count."""
    master = MasterKey(os.urandom(32))

    async def check(engine: AsyncEngine, email: str, status: int | None) -> None:
        async with token_attempt(engine, master, email):
            if status is not None:
                raise HubError(status, "refused")

    async def body(engine: AsyncEngine) -> None:
        for _ in range(FREE_PER_EMAIL * 3):
            with pytest.raises(HubError):
                await check(engine, "down@bank.test", 503)
        await check(engine, "down@bank.test", None)  # still heard
        for _ in range(FREE_PER_EMAIL - 1):
            with pytest.raises(HubError):
                await check(engine, "typo@bank.test", 403)
        await check(engine, "typo@bank.test", None)  # clears the four refusals
        for _ in range(FREE_PER_EMAIL - 1):
            with pytest.raises(HubError):
                await check(engine, "typo@bank.test", 401)
        await check(engine, "typo@bank.test", None)

    run_on_engine(db_url, body)


def test_the_sealed_token_opens_only_for_its_own_session() -> None:
    master = MasterKey(os.urandom(32))
    emp = HubEmployee(email="a@bank.test", name="", roles=("Teller",), branch_guid=None,
                      head_office=True, source="dcm")
    sealed = master.seal(PLATFORM_AAD + "one", b"dcm-token")
    assert platform_token(master, Found(emp, "one", sealed)) == "dcm-token"
    assert platform_token(master, Found(emp, "two", sealed)) is None  # moved to another row
    assert platform_token(MasterKey(os.urandom(32)), Found(emp, "one", sealed)) is None
    assert platform_token(master, Found(emp, "one")) is None


def test_the_desk_renews_both_sessions_once_the_dcm_one_ended(
        hub: HubProc, sandbox: SandboxProcess) -> None:
    """The desk's side (``core.session.HubLink``): the platform session ended, so the hub's
    ended with it; the desk's next hub write signs in to the platform again (its password is
    held for that) and opens a new hub session, and the write goes through — the teller sees
    nothing."""
    import asyncio

    from teller_app.core.session import HubLink
    from teller_app.platform import AuthError, PasswordLogin, PlatformClient
    from teller_app.platform.hub_client import HubClient
    from tests.platform.sandbox_helpers import sim_admin

    email, password = dcm_employee(sandbox, ["Teller"], branches(sandbox)[0])
    kyiv = branches(sandbox)[0]

    async def scenario() -> tuple[str, str, bool]:
        client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                auth=PasswordLogin(email, password))
        link = HubLink(HubClient(hub.base_url), client, kyiv)
        try:
            await client.whoami()
            first = str(client.session_token)
            for _ in range(40):  # the hub's copy of DCM's employees learns the new one
                try:
                    await link.connect()
                    break
                except AuthError:  # 401 until the hub's copy of DCM's employees has them
                    await asyncio.sleep(0.5)
            else:
                pytest.fail("the hub never learnt the new employee (20 s)")
            assert sim_admin(sandbox, "sessions/expire", {"token": first}) == {"expired": 1}
            issued = await link.issue_secret(f"renew.{os.urandom(4).hex()}@example.ua", kyiv)
            return first, str(client.session_token), issued.created
        finally:
            await link.aclose()
            await client.aclose()

    first, now_token, created = asyncio.run(scenario())
    assert created and now_token != first


def test_wrong_passwords_typed_for_an_email_never_lock_its_mode_a_sign_in(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    """Anyone may type an e-mail and a wrong password at the hub: that locks the password
    counter, never the employee's DCM-session sign-in (nor their Mode A decisions)."""
    email, token = _dcm_teller(sandbox)
    codes = [http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                                 "password": "not-it"}).status_code
             for _ in range(8)]
    assert codes[-1] == 429, codes  # the password counter is locked
    platform_session(http, token)  # a Mode A sign-in still works
