"""JWT clock skew. Mode-B bank JWTs are minted (``BankJwtLogin``, the sandbox's registered bank
key and ``kid``) by a bank whose clock is off. The sandbox accepts ``exp >= now - JWT_LEEWAY``
and refuses ``exp - iat > 300``: a few seconds either way is accepted; a token expired beyond
the leeway, or issued far ahead with a too-long lifetime, is refused with 401 and nothing is
applied (the customer create does not create the customer: checked as the administrator).
The hub's Auth Service likewise refuses a DCM ``X-Session-ID`` expired beyond its 5 s leeway.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from reliability_helpers import password_of

from teller_app.core.embedded_hub import start_hub
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.embedded_stack import hub_settings
from teller_app.hub.jwks import LEEWAY_S as HUB_LEEWAY
from teller_app.platform import BankJwtLogin, Operation
from teller_app.sandbox.auth import JWT_LEEWAY, MAX_LIFETIME

TELLER = "teller.kyiv@demo.bank"
ADMIN = "admin@demo.bank"


class SkewedBankJwtLogin(BankJwtLogin):
    """``BankJwtLogin`` on a bank host whose clock is ``skew`` seconds off (negative: behind)."""

    def __init__(self, *args: Any, skew: float, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.skew = skew

    def token(self, op: Operation, counterparty_guid: str) -> str:
        now = int(time.time() + self.skew)
        claims = {"sub": self.email, "obj": op.obj or counterparty_guid, "flow": op.flow,
                  "iat": now, "exp": now + self.lifetime, "jti": secrets.token_urlsafe(16),
                  "aud": self.audience}
        return jwt.encode(claims, self._private_key(), algorithm="RS256",
                          headers={"kid": self.kid})


def bank_auth(sb: SandboxProcess, *, skew: float, lifetime: int = 60) -> SkewedBankJwtLogin:
    cfg = sb.manifest["bank_jwt"]
    pem = Path(cfg["private_key_pem"])
    if not pem.is_absolute():
        pem = sb.data_dir / pem
    return SkewedBankJwtLogin(TELLER, pem.read_bytes(), str(cfg["kid"]), skew=skew,
                              lifetime=lifetime)


def admin_token(sb: SandboxProcess) -> str:
    with httpx.Client(base_url=sb.base_url, timeout=20) as http:
        flow = http.get("/kratos/self-service/login/api").json()
        csrf = next((n["attributes"].get("value") for n in flow["ui"]["nodes"]
                     if n["attributes"].get("name") == "csrf_token"), "")
        resp = http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                         data={"identifier": ADMIN, "method": "password", "csrf_token": csrf,
                               "password": password_of(sb, ADMIN)})
        assert resp.status_code == 200, resp.text
        return str(resp.json()["session_token"])


def customers_with_login(sb: SandboxProcess, login: str) -> int:
    resp = httpx.get(f"{sb.base_url}/api/v1/counterparty/{sb.counterparty_guid}/customers",
                     params={"logins": login, "limit": 10}, timeout=20,
                     headers={"Authorization": f"bearer {admin_token(sb)}"})
    assert resp.status_code == 200, resp.text
    return sum(1 for c in resp.json()["customers"] if c.get("login") == login)


def create_with(sb: SandboxProcess, auth: BankJwtLogin) -> tuple[httpx.Response, str]:
    login = f"skew-{uuid.uuid4().hex[:10]}@test.ua"
    body = {"asset_code": sb.manifest["asset"]["code"],
            "asset_issuer": sb.manifest["asset"]["issuer"], "login": login,
            "name": "Час", "surname": "Зсувний", "phone_number": "+380501112233",
            "branch_guid": sb.manifest["branches"][0]["guid"]}
    headers = auth.headers(Operation("sign-up", login), sb.counterparty_guid)
    headers.pop("Authorization", None)
    resp = httpx.post(f"{sb.base_url}/api/v1/counterparty/{sb.counterparty_guid}/customers",
                      json=body, headers=headers, timeout=30)
    return resp, login


# (skew of the bank's clock in s, token lifetime in s): within the leeway either way.
ACCEPTED = [
    pytest.param(-3, 60, id="3s-behind"),
    pytest.param(+3, 60, id="3s-ahead"),
    # behind by lifetime + 3 s: exp is 3 s in the past, inside the 5 s leeway (JWT_LEEWAY)
    pytest.param(-33, 30, id="expired-within-leeway"),
]
REFUSED = [
    # exp is 60 s in the past: expired beyond the leeway
    pytest.param(-120, 60, id="expired-beyond-leeway"),
    pytest.param(-70, 60, id="expired-5s-beyond-leeway"),
    # a clock an hour ahead minting a lifetime over the 300 s cap (so it would still be "live")
    pytest.param(+3600, 7200, id="far-future-long-lifetime"),
    # a clock 10 minutes behind with a 900 s lifetime: still unexpired, but over the 300 s cap
    pytest.param(-600, 900, id="behind-long-lifetime"),
]


def test_the_documented_limits() -> None:
    """The figures the cases below are built on (hard-coded there, so that changing a limit in
    the code makes a case fail rather than silently move with it)."""
    assert (JWT_LEEWAY, MAX_LIFETIME, HUB_LEEWAY) == (5, 300, 5)


@pytest.mark.parametrize(("skew", "lifetime"), ACCEPTED)
def test_small_skew_is_accepted_and_applied(sandbox: SandboxProcess, skew: int,
                                            lifetime: int) -> None:
    resp, login = create_with(sandbox, bank_auth(sandbox, skew=skew, lifetime=lifetime))
    assert resp.status_code == 200, resp.text
    assert customers_with_login(sandbox, login) == 1


@pytest.mark.parametrize(("skew", "lifetime"), REFUSED)
def test_large_skew_is_refused_and_nothing_applied(sandbox: SandboxProcess, skew: int,
                                                   lifetime: int) -> None:
    resp, login = create_with(sandbox, bank_auth(sandbox, skew=skew, lifetime=lifetime))
    assert resp.status_code in (401, 403), resp.text
    assert customers_with_login(sandbox, login) == 0


def test_replayed_or_audienceless_skewed_token_is_refused(sandbox: SandboxProcess) -> None:
    """A token accepted once (3 s skew) is not accepted again; no ``aud`` is refused."""
    auth = bank_auth(sandbox, skew=-3)
    url = f"{sandbox.base_url}/api/v1/counterparty/{sandbox.counterparty_guid}/customers"
    token = auth.token(Operation(), sandbox.counterparty_guid)
    first = httpx.get(url, params={"limit": 1}, headers={"CX-Authorization": token}, timeout=20)
    assert first.status_code == 200, first.text
    again = httpx.get(url, params={"limit": 1}, headers={"CX-Authorization": token}, timeout=20)
    assert again.status_code == 401 and "jti" in again.text
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.pop("aud")
    claims["jti"] = secrets.token_urlsafe(16)
    no_aud = jwt.encode(claims, auth._private_key(), algorithm="RS256",
                        headers={"kid": auth.kid})
    refused = httpx.get(url, params={"limit": 1}, headers={"CX-Authorization": no_aud},
                        timeout=20)
    assert refused.status_code == 401 and "aud" in refused.text


# --- the hub's Auth Service: DCM X-Session-ID tokens -----------------------------------------
def dcm_key(sb: SandboxProcess) -> tuple[Any, str]:
    conn = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.db'}?mode=ro", uri=True)
    with contextlib.closing(conn):
        meta = dict(conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('dcm_private_pem', 'dcm_kid')"))
    return meta["dcm_private_pem"], meta["dcm_kid"]


@pytest.fixture(scope="module")
def hub_on_sandbox(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("skew-hub")
    sb = start_sandbox(base / "sandbox")
    try:
        hub = start_hub(base / "hub", settings=hub_settings(sb))
        try:
            ext = f"skew.{uuid.uuid4().hex[:10]}@example.ua"
            resp = httpx.post(hub.base_url + "/api/v1/admin/secrets/import", timeout=20,
                              headers={"Authorization": f"Bearer {hub.admin_token}"},
                              json={"items": [{"external_id": ext,
                                               "branch_guid": sb.manifest["branches"][0]["guid"]}]})
            assert resp.status_code == 200, resp.text
            yield sb, hub, ext
        finally:
            hub.stop()
    finally:
        sb.stop()


@pytest.mark.parametrize(("skew", "ok"), [
    pytest.param(-62, True, id="expired-within-leeway"),  # exp 2 s ago, LEEWAY_S is 5
    pytest.param(-2, True, id="2s-behind"),
    pytest.param(-70, False, id="expired-beyond-leeway"),
    pytest.param(-600, False, id="10min-behind"),
])
def test_hub_auth_service_leeway(hub_on_sandbox, skew: int, ok: bool) -> None:  # type: ignore[no-untyped-def]
    sb, hub, ext = hub_on_sandbox
    pem, kid = dcm_key(sb)
    now = int(time.time()) + skew
    token = jwt.encode({"sub": TELLER, "obj": ext, "flow": "sign-in", "iat": now,
                        "exp": now + 60}, pem, algorithm="RS256", headers={"kid": kid})
    resp = httpx.get(hub.base_url + "/key", headers={"X-Session-ID": token}, timeout=20)
    if ok:
        assert resp.status_code == 200, resp.text
        assert len(resp.json()["key"]) >= 43
    else:
        assert resp.status_code in (401, 403), resp.text
        assert "key" not in resp.json()
