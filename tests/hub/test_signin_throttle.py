"""Sign-in throttling over HTTP (SQLite and PostgreSQL): counted per e-mail and per client
address before argon2 or DCM's whoami runs, 429 + Retry-After, locks that double and stay
bounded, a success resets; the desk's client sees ``RateLimited``, not "hub unreachable";
behind a load balancer the count per address can be switched off."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fe_db import db_url
from hub_proc import (
    PASSWORD,
    HubProc,
    add_employee,
    hub_cli,
    hub_env,
    start_hub,
    unique_email,
)
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.signin_throttle import (
    FIRST_LOCK_S,
    FREE_PER_ADDRESS,
    FREE_PER_EMAIL,
    MAX_LOCK_S,
)
from teller_app.platform.errors import RateLimited
from teller_app.platform.hub_client import HubClient


def _address() -> str:
    """A client address of its own (uvicorn takes X-Forwarded-For from 127.0.0.1)."""
    n = uuid.uuid4().int
    return f"10.{n % 250 + 1}.{n // 250 % 250 + 1}.{n // 62500 % 250 + 1}"


def _sign_in(http: httpx.Client, email: str, password: str,
             address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return http.post("/api/v1/sessions", headers=headers,
                     json={"mode": "password", "email": email, "password": password})


def _expire_locks(hub: HubProc, **values: Any) -> None:
    """What the passing of time does to every lock (and ``values``): no sleeping in tests."""
    async def run() -> None:
        engine = create_async_engine(db_url(hub))
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text("UPDATE signin_failures SET locked_until = 0"
                                           + "".join(f", {k} = :{k}" for k in values)), values)
        finally:
            await engine.dispose()
    asyncio.run(run())


def _throttled(r: httpx.Response) -> int:
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "sign_in_throttled"
    assert "too many failed sign-ins" in r.json()["error"]
    return int(r.headers["Retry-After"])


def test_wrong_passwords_lock_the_email_then_the_lock_doubles_and_a_success_resets(
        http: httpx.Client, hub: HubProc) -> None:
    email = add_employee(http, hub, head_office=True)
    for i in range(FREE_PER_EMAIL):
        assert _sign_in(http, email, f"wrong-{i}").status_code == 401
    # locked: even the right password is not checked
    assert 0 < _throttled(_sign_in(http, email, PASSWORD)) <= FIRST_LOCK_S
    assert 0 < _throttled(_sign_in(http, email.upper(), "wrong")) <= FIRST_LOCK_S
    # after the lock, one more failure locks twice as long
    _expire_locks(hub)
    assert _sign_in(http, email, "wrong again").status_code == 401
    assert FIRST_LOCK_S < _throttled(_sign_in(http, email, PASSWORD)) <= 2 * FIRST_LOCK_S
    # never longer than MAX_LOCK_S, however many failures
    _expire_locks(hub, failures=1000)
    assert _sign_in(http, email, "wrong once more").status_code == 401
    assert FIRST_LOCK_S < _throttled(_sign_in(http, email, PASSWORD)) <= MAX_LOCK_S
    # the right password after the lock signs in and resets the count
    _expire_locks(hub)
    assert _sign_in(http, email, PASSWORD).status_code == 200
    for i in range(FREE_PER_EMAIL):
        assert _sign_in(http, email, f"wrong-{i}").status_code == 401
    _throttled(_sign_in(http, email, PASSWORD))
    _expire_locks(hub)
    assert _sign_in(http, email, PASSWORD).status_code == 200


def test_a_parallel_burst_gets_only_the_free_attempts(hub: HubProc) -> None:
    """Counted before the password is verified, in one transaction: 24 guesses at once get
    5 verifications, not 24 (the audit's 60 wrong passwords in 1.15 s, then the right one)."""
    email = unique_email("burst")  # unknown e-mails are throttled the same (no enumeration)

    def guess(i: int) -> int:
        with hub.client() as c:
            return _sign_in(c, email, f"guess-{i}").status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, range(24)))
    assert codes.count(401) == FREE_PER_EMAIL and codes.count(429) == 24 - FREE_PER_EMAIL


def test_one_address_spraying_many_emails_is_throttled(http: httpx.Client,
                                                       hub: HubProc) -> None:
    sprayer, colleague = _address(), _address()
    email = add_employee(http, hub, head_office=True)
    for _ in range(FREE_PER_ADDRESS):
        assert _sign_in(http, unique_email("spray"), "Password1", sprayer).status_code == 401
    assert _throttled(_sign_in(http, email, PASSWORD, sprayer)) <= FIRST_LOCK_S
    assert _sign_in(http, email, PASSWORD, colleague).status_code == 200
    # this machine (loopback: the embedded desk, tests) is not counted by address
    for _ in range(FREE_PER_ADDRESS + 1):
        assert _sign_in(http, unique_email("local"), "Password1").status_code == 401


def test_platform_sign_in_is_throttled_by_address(http: httpx.Client) -> None:
    """Mode A: each attempt would cost a call to DCM's whoami."""
    attacker = _address()
    body = {"mode": "platform", "session_token": "ory_st_" + "x" * 32}
    for _ in range(FREE_PER_ADDRESS):
        r = http.post("/api/v1/sessions", json=body, headers={"X-Forwarded-For": attacker})
        assert r.status_code == 401, r.text
    r = http.post("/api/v1/sessions", json=body, headers={"X-Forwarded-For": attacker})
    assert _throttled(r) <= FIRST_LOCK_S


def test_the_desk_client_raises_rate_limited(http: httpx.Client, hub: HubProc) -> None:
    email = add_employee(http, hub, head_office=True)
    for i in range(FREE_PER_EMAIL):
        assert _sign_in(http, email, f"wrong-{i}").status_code == 401

    async def sign_in() -> None:
        async with HubClient(hub.base_url) as client:
            await client.open_password_session(email, PASSWORD)

    with pytest.raises(RateLimited) as caught:
        asyncio.run(sign_in())
    assert caught.value.status_code == 429 and caught.value.reason == "sign_in_throttled"
    assert caught.value.source == "hub"


@pytest.fixture(scope="module")
def hub_without_address_count(request: pytest.FixtureRequest, hub_db: str | None,
                              sandbox: SandboxProcess,
                              tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    """A hub with ``signin_per_address_limit = 0`` (behind a balancer it cannot trust for
    X-Forwarded-For), on a database of its own of the module's kind."""
    url = None
    if hub_db is not None:
        url = request.getfixturevalue("pg_cluster").create_database("noaddr")
        r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
        assert r.returncode == 0, r.stderr
    env = {**hub_env(sandbox, url), "TELLER_HUB_SIGNIN_PER_ADDRESS_LIMIT": "0"}
    proc = start_hub(tmp_path_factory.mktemp("hub-noaddr"), env)
    yield proc
    assert proc.stop() == 0, proc.log()[-2000:]


def _desks_behind_one_balancer(hub: HubProc) -> tuple[list[int], int]:
    """40 wrong passwords for 40 e-mails from one address (the balancer's), then a fresh
    account's right password from it: (the 40 statuses, the last one's)."""
    balancer = _address()
    with hub.client() as http:
        email = add_employee(http, hub, head_office=True)
        wrong = [_sign_in(http, unique_email("desk"), "Password1", balancer).status_code
                 for _ in range(40)]
        return wrong, _sign_in(http, email, PASSWORD, balancer).status_code


def test_the_count_per_address_can_be_switched_off(
        hub: HubProc, hub_without_address_count: HubProc) -> None:
    wrong, fresh = _desks_behind_one_balancer(hub_without_address_count)
    assert wrong == [401] * 40 and fresh == 200
    # the default: FREE_PER_ADDRESS failures lock the address, a fresh account's too
    wrong, fresh = _desks_behind_one_balancer(hub)
    assert wrong == [401] * FREE_PER_ADDRESS + [429] * (40 - FREE_PER_ADDRESS)
    assert fresh == 429
    # the count per e-mail still holds
    with hub_without_address_count.client() as http:
        email = add_employee(http, hub_without_address_count, head_office=True)
        for i in range(FREE_PER_EMAIL):
            assert _sign_in(http, email, f"wrong-{i}", _address()).status_code == 401
        _throttled(_sign_in(http, email, PASSWORD, _address()))
