"""The Auth Service takes a DCM X-Session-ID once and only while it is fresh: ``iat``
required and not ahead of the clock, ``exp - iat`` at most 300 s, a ``jti`` spent in the
database (so no process of the hub takes it again, even under a race), ``iss``/``aud`` when
the settings name them. Every refusal has one body; the reason is in the hub's log. Two real
hub processes on one database (SQLite file or PostgreSQL), tokens signed with the sandbox's
real DCM key."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_proc import DcmSigner, HubProc, branches, free_port, hub_env, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import NewCustomer, PasswordLogin, PlatformClient

KYIV_TELLER = "teller.kyiv@demo.bank"
LVIV_TELLER = "teller.lviv@demo.bank"
REFUSED = {"error": "not authorized"}
ISSUER, AUDIENCE = "dcm", "bank-auth.test"


@pytest.fixture(scope="module")
def pair(hub_db: str | None, sandbox: SandboxProcess,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProc, HubProc]]:
    """Hub ``a`` (no iss/aud settings) and hub ``b`` (both set) on one database."""
    base = tmp_path_factory.mktemp("jti-pair")
    url = hub_db or f"sqlite+aiosqlite:///{base / 'shared.db'}"
    env = hub_env(sandbox, url)
    env["TELLER_HUB_ADMIN_TOKEN"] = "jti-admin-" + uuid.uuid4().hex
    a = start_hub(base / "a", env)
    try:
        b = start_hub(base / "b", {**env, "TELLER_HUB_DCM_TOKEN_ISSUER": ISSUER,
                                   "TELLER_HUB_DCM_TOKEN_AUDIENCE": AUDIENCE})
    except BaseException:
        a.stop()
        raise
    yield a, b
    assert b.stop() == 0 and a.stop() == 0


@pytest.fixture(scope="module")
def customer(pair: tuple[HubProc, HubProc], sandbox: SandboxProcess) -> str:
    a, _ = pair
    ext = f"jti.{uuid.uuid4().hex[:10]}@example.ua"
    with a.client() as http:
        r = http.post("/api/v1/admin/secrets/import",
                      headers={"Authorization": f"Bearer {a.admin_token}"},
                      json={"items": [{"external_id": ext, "branch_guid": branches(sandbox)[0]}]})
        assert r.status_code == 200, r.text
    return ext


def claims(obj: str, *, sub: str = KYIV_TELLER, lifetime: int = 60, **extra: Any
           ) -> dict[str, Any]:
    """What a DCM sends (the sandbox's shape): iat, exp, a fresh jti, iss and aud."""
    now = int(time.time())
    return {"sub": sub, "obj": obj, "flow": "sign-in", "iat": now, "exp": now + lifetime,
            "jti": secrets.token_hex(16), "iss": ISSUER, "aud": AUDIENCE, **extra}


def key(hub: HubProc, token: str | None) -> httpx.Response:
    with hub.client() as http:
        return http.get("/key", headers={} if token is None else {"X-Session-ID": token})


def test_a_token_is_taken_once_by_any_process(pair: tuple[HubProc, HubProc], dcm: DcmSigner,
                                              customer: str) -> None:
    a, b = pair
    token = dcm.raw(claims(customer))
    first = key(a, token)
    assert first.status_code == 200, first.text
    for hub in (a, b):  # the same process again, and another one on the same database
        again = key(hub, token)
        assert (again.status_code, again.json()) == (401, REFUSED)
    other = dcm.raw(claims(customer))
    assert key(b, other).status_code == 200
    assert key(a, other).status_code == 401
    # a burst of one token at both processes at once: exactly one answer carries the key
    raced = dcm.raw(claims(customer))
    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(lambda i: key(pair[i % 2], raced).status_code, range(8)))
    assert codes == [200] + [401] * 7


def test_fresh_short_lived_tokens_only(pair: tuple[HubProc, HubProc], dcm: DcmSigner,
                                       customer: str) -> None:
    a, _ = pair
    now = int(time.time())
    day, year = 24 * 3600, 365 * 24 * 3600
    without_iat = claims(customer)
    del without_iat["iat"]
    refused = {
        "no iat": without_iat,
        "iat not a number": claims(customer, iat="now"),
        "iat a day ahead": claims(customer, iat=now + day, exp=now + day + 60),
        "iat a minute ahead": claims(customer, iat=now + 60, exp=now + 120),
        "exp a year ahead": claims(customer, exp=now + year),
        "lifetime 301 s": claims(customer, iat=now, exp=now + 301),
        "exp before iat": claims(customer, iat=now, exp=now - 1),
        "jti not a string": claims(customer, jti=12345),
        "jti empty": claims(customer, jti=""),
    }
    for name, body in refused.items():
        r = key(a, dcm.raw(body))
        assert (r.status_code, r.json()) == (401, REFUSED), name
    accepted = {
        "lifetime 300 s": claims(customer, iat=now, exp=now + 300),
        "iat 3 s ahead (clock skew)": claims(customer, iat=now + 3, exp=now + 63),
        "exp = iat, as the docs' example": claims(customer, iat=now, exp=now),
        "no jti (the docs list none)": {k: v for k, v in claims(customer).items()
                                        if k != "jti"},
    }
    for name, body in accepted.items():
        r = key(a, dcm.raw(body))
        assert r.status_code == 200, (name, r.text)


def test_issuer_and_audience_when_the_settings_name_them(
        pair: tuple[HubProc, HubProc], dcm: DcmSigner, customer: str) -> None:
    a, b = pair
    full = claims(customer)
    for name, body in {
        "no iss": {k: v for k, v in full.items() if k != "iss"},
        "other iss": {**full, "iss": "someone-else"},
        "no aud": {k: v for k, v in full.items() if k != "aud"},
        "other aud": {**full, "aud": ["another-bank"]},
    }.items():
        r = key(b, dcm.raw({**body, "jti": secrets.token_hex(16)}))
        assert (r.status_code, r.json()) == (401, REFUSED), name
    assert key(b, dcm.raw(claims(customer, aud=["x", AUDIENCE]))).status_code == 200
    assert key(b, dcm.raw(claims(customer))).status_code == 200
    bare = {k: v for k, v in claims(customer).items() if k not in ("iss", "aud")}
    assert key(a, dcm.raw(bare)).status_code == 200  # not set on a: not checked


def test_one_body_for_every_refusal_and_the_reason_in_the_log(
        pair: tuple[HubProc, HubProc], dcm: DcmSigner, customer: str) -> None:
    a, _ = pair
    replayed = dcm.raw(claims(customer))
    assert key(a, replayed).status_code == 200
    cases = {
        "missing": None,
        "garbage": "not.a.jwt",
        "replayed": replayed,
        "no such employee": dcm.raw(claims(customer, sub="ghost@demo.bank")),
        "no secret": dcm.raw(claims("never-issued@example.ua")),
        "another branch": dcm.raw(claims(customer, sub=LVIV_TELLER)),
    }
    for name, token in cases.items():
        for path in ("/user_auth", "/key", "/external_id"):
            with a.client() as http:
                r = http.get(path, headers={} if token is None else {"X-Session-ID": token})
            assert (r.status_code, r.json()) == (401, REFUSED), (name, path)
    lines = [json.loads(ln) for ln in a.log().splitlines() if ln.startswith("{")]
    reasons = " | ".join(str(ln.get("reason")) for ln in lines
                         if ln.get("msg") == "auth service refused")
    for fragment in ("replayed", "enabled employee", "no secret", "another branch",
                     "missing X-Session-ID", "not a JWT"):
        assert fragment in reasons, fragment
    assert customer not in a.log() and replayed not in a.log()


def test_no_slash_redirects_and_no_api_map(pair: tuple[HubProc, HubProc]) -> None:
    a, _ = pair
    with a.client() as http:
        for path in ("/user_auth/", "/key/", "/healthz/"):
            r = http.get(path)
            assert r.status_code == 404, (path, r.status_code, r.headers.get("location"))
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert http.get(path).status_code == 404, path


def test_the_sandbox_as_dcm_passes_the_checks(tmp_path: Path) -> None:
    """The embedded wiring: the sandbox calls the hub's /user_auth at a customer's creation
    with its own X-Session-ID (iat, exp = iat + 60, jti, iss "dcm"); the hub, checking iss
    too, answers and spends the jti."""
    port = free_port()
    sb = start_sandbox(tmp_path / "sandbox", "--bank-auth-url", f"http://127.0.0.1:{port}")
    try:
        env = {**os.environ, **hub_env(sb, None), "TELLER_HUB_DCM_TOKEN_ISSUER": ISSUER}
        data = tmp_path / "hub"
        data.mkdir()
        with open(data / "hub.log", "w") as log:
            proc = subprocess.Popen([sys.executable, "-m", "teller_app.hub", "serve", "--data",
                                     str(data), "--port", str(port)],
                                    stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        hub = HubProc(data, proc, {}, env)
        try:
            assert proc.stdout is not None and proc.stdout.readline().startswith("http://")
            hub.manifest = json.loads((data / "hub.json").read_text())
            login = f"sb{uuid.uuid4().hex[:10]}"
            with hub.client() as http:
                r = http.post("/api/v1/admin/secrets/import",
                              headers={"Authorization": f"Bearer {hub.admin_token}"},
                              json={"items": [{"external_id": login,
                                               "branch_guid": branches(sb)[0]}]})
                assert r.status_code == 200, r.text
            assert asyncio.run(_create_customer(sb, login))
            conn = sqlite3.connect(f"file:{data / 'hub.db'}?mode=ro", uri=True)
            with contextlib.closing(conn):
                spent = conn.execute("SELECT count(*) FROM dcm_token_jtis").fetchone()[0]
            assert spent >= 1
        finally:
            assert hub.stop() == 0, hub.log()[-2000:]
    finally:
        sb.stop()


async def _create_customer(sb: SandboxProcess, login: str) -> str:
    admin = next(e for e in sb.manifest["employees"] if e["email"] == "admin@demo.bank")
    asset = sb.manifest["asset"]
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(admin["email"], admin["password"])) as client:
        created = await client.create_customer(NewCustomer(
            asset_code=asset["code"], asset_issuer=asset["issuer"], login=login, name="Олена",
            surname="Бойко", branch_guid=branches(sb)[0], kyc_level=2,
            balance_allowed=Decimal(1000), status="active"))
    return str(created.customer_guid)


def test_single_use_can_be_switched_off_for_a_dcm_that_resends(
        hub_db: str | None, sandbox: SandboxProcess, dcm: DcmSigner, tmp_path: Path) -> None:
    """§2.4 names no jti: a DCM that re-sends one token (a retried callback) would be
    refused; ``dcm_token_single_use = false`` takes it again (the other checks stay)."""
    url = hub_db or f"sqlite+aiosqlite:///{tmp_path / 'resend.db'}"
    env = {**hub_env(sandbox, url),
           "TELLER_HUB_ADMIN_TOKEN": "resend-" + uuid.uuid4().hex,
           "TELLER_HUB_DCM_TOKEN_SINGLE_USE": "0"}
    hub = start_hub(tmp_path / "resend", env)
    try:
        ext = f"resend.{uuid.uuid4().hex[:10]}@example.ua"
        with hub.client() as http:
            r = http.post("/api/v1/admin/secrets/import",
                          headers={"Authorization": f"Bearer {hub.admin_token}"},
                          json={"items": [{"external_id": ext,
                                           "branch_guid": branches(sandbox)[0]}]})
            assert r.status_code == 200, r.text
        token = dcm.raw(claims(ext))
        assert [key(hub, token).status_code for _ in range(2)] == [200, 200]
        assert key(hub, dcm.raw(claims(ext, lifetime=3600))).status_code == 401
    finally:
        assert hub.stop() == 0, hub.log()[-2000:]
