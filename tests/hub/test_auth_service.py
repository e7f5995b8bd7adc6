"""Bank Auth Service (PLATFORM_API §2.5) with X-Session-ID tokens signed by the sandbox's
real DCM key, verified by the hub against the sandbox's JWKS."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hub_proc import DcmSigner, HubProc, add_employee, branches

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.phones import unused_phone

# its own number: the hub refuses a new customer's phone another customer holds (one
# per number), and the sandbox is shared with other tests
PHONE = unused_phone()

KYIV_TELLER = "teller.kyiv@demo.bank"
LVIV_TELLER = "teller.lviv@demo.bank"
ADMIN = "admin@demo.bank"


@pytest.fixture(scope="module")
def kyiv_customer(hub: HubProc, sandbox: SandboxProcess) -> str:
    ext = f"cust.{uuid.uuid4().hex[:10]}@example.ua"
    with hub.client() as http:
        r = http.post("/api/v1/admin/secrets/import", headers={
            "Authorization": f"Bearer {hub.admin_token}"}, json={"items": [
                {"external_id": ext, "branch_guid": branches(sandbox)[0], "first_name": "Іван",
                 "last_name": "Петренко", "email": ext, "phone": PHONE},
                {"external_id": f"keykeeper:{branches(sandbox)[0]}"},
                {"external_id": f"keykeeper:{sandbox.counterparty_guid}"}]})
        assert r.status_code == 200, r.text
    return ext


def ask(http: httpx.Client, path: str, token: str | None) -> httpx.Response:
    headers = {} if token is None else {"X-Session-ID": token}
    return http.get(path, headers=headers)


def refused_because(hub: HubProc, r: httpx.Response, reason: str) -> bool:
    """One body for every refusal (the caller learns nothing); the reason is in the log."""
    lines = [json.loads(ln) for ln in hub.log().splitlines() if ln.startswith("{")]
    last = [ln for ln in lines if ln.get("msg") == "auth service refused"][-1]
    return r.status_code == 401 and r.json() == {"error": "not authorized"} \
        and reason in last["reason"]


def test_user_auth_key_external_id(http: httpx.Client, dcm: DcmSigner,
                                   kyiv_customer: str) -> None:
    r = ask(http, "/user_auth", dcm.token(KYIV_TELLER, kyiv_customer, "sign-up"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["external_id"] == kyiv_customer and len(body["key"]) >= 43
    assert (body["first_name"], body["last_name"], body["phone"]) == \
        ("Іван", "Петренко", PHONE)
    key = ask(http, "/key", dcm.token(KYIV_TELLER, kyiv_customer))
    assert key.json() == {"key": body["key"]}
    ext = ask(http, "/external_id", dcm.token(KYIV_TELLER, kyiv_customer))
    assert ext.json() == {"external_id": kyiv_customer}


def test_branch_rule(http: httpx.Client, hub: HubProc, dcm: DcmSigner,
                     kyiv_customer: str) -> None:
    r = ask(http, "/key", dcm.token(LVIV_TELLER, kyiv_customer))
    assert refused_because(hub, r, "another branch")
    assert ask(http, "/key", dcm.token(ADMIN, kyiv_customer)).status_code == 200


def test_key_keepers(http: httpx.Client, dcm: DcmSigner, sandbox: SandboxProcess,
                     kyiv_customer: str) -> None:
    branch_kk = f"keykeeper:{branches(sandbox)[0]}"
    bank_kk = f"keykeeper:{sandbox.counterparty_guid}"
    assert ask(http, "/key", dcm.token(KYIV_TELLER, branch_kk)).status_code == 200
    assert ask(http, "/key", dcm.token(LVIV_TELLER, branch_kk)).status_code == 401
    assert ask(http, "/key", dcm.token(KYIV_TELLER, bank_kk)).status_code == 401
    assert ask(http, "/key", dcm.token(ADMIN, bank_kk)).status_code == 200
    keys = {ask(http, "/key", dcm.token(ADMIN, kk)).json()["key"] for kk in (branch_kk, bank_kk)}
    assert len(keys) == 2


def test_hub_store_employee_is_a_subject(http: httpx.Client, hub: HubProc, dcm: DcmSigner,
                                         sandbox: SandboxProcess, kyiv_customer: str) -> None:
    """Mode B: the acting employee exists only in the hub's own store."""
    email = add_employee(http, hub, branch_guid=branches(sandbox)[0])
    assert ask(http, "/key", dcm.token(email, kyiv_customer)).status_code == 200
    assert hub.cli("employees", "disable", "--email", email).returncode == 0
    deadline = time.monotonic() + 5  # the Auth Service may use a store answer up to 1 s old
    while (r := ask(http, "/key", dcm.token(email, kyiv_customer))).status_code == 200:
        assert time.monotonic() < deadline, "disabled employee still accepted"
    assert refused_because(hub, r, "enabled employee")


def test_refusals(http: httpx.Client, dcm: DcmSigner, kyiv_customer: str) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    now = int(time.time())
    good = dcm.token(KYIV_TELLER, kyiv_customer)
    assert ask(http, "/key", good).status_code == 200
    other_obj = dcm.token(ADMIN, kyiv_customer)
    cases = {
        "missing": None,
        "garbage": "not.a.jwt",
        "no such employee": dcm.token("ghost@demo.bank", kyiv_customer),
        "no secret": dcm.token(KYIV_TELLER, "never-issued@example.ua"),
        "expired": dcm.token(KYIV_TELLER, kyiv_customer, iat=int(time.time()) - 120, ttl=60),
        "forged (same kid, other key)": dcm.token(KYIV_TELLER, kyiv_customer, key=other_pem),
        "unknown kid": dcm.token(KYIV_TELLER, kyiv_customer, kid="dcm-unknown",
                                 key=other_pem),
        "bad flow": dcm.token(KYIV_TELLER, kyiv_customer, flow="sign-anything"),
        "tampered payload": ".".join([good.split(".")[0], other_obj.split(".")[1],
                                      good.split(".")[2]]),
        "two segments": good.rsplit(".", 1)[0],
        "not base64url": good.replace(".", ".*", 1),
        "no exp": dcm.raw({"sub": KYIV_TELLER, "obj": kyiv_customer}),
        "exp not a number": dcm.raw({"sub": KYIV_TELLER, "obj": kyiv_customer, "exp": True}),
        "not yet valid": dcm.raw({"sub": KYIV_TELLER, "obj": kyiv_customer,
                                  "exp": now + 600, "nbf": now + 300}),
        "sub not a string": dcm.raw({"sub": ["x"], "obj": kyiv_customer, "exp": now + 60}),
        "obj too long": dcm.raw({"sub": KYIV_TELLER, "obj": "x" * 501, "exp": now + 60}),
    }
    for name, token in cases.items():
        for path in ("/user_auth", "/key", "/external_id"):
            r = ask(http, path, token)
            assert r.status_code == 401, (name, path, r.text)
            assert r.json()["error"], name


def test_hs256_and_none_algorithms_refused(http: httpx.Client, hub: HubProc, dcm: DcmSigner,
                                           kyiv_customer: str) -> None:
    import jwt

    now = int(time.time())
    claims = {"sub": KYIV_TELLER, "obj": kyiv_customer, "flow": "sign-in", "iat": now,
              "exp": now + 60}
    for token in (jwt.encode(claims, "secret-" * 6, algorithm="HS256",
                             headers={"kid": dcm.kid}),
                  jwt.encode(claims, None, algorithm="none", headers={"kid": dcm.kid})):
        r = ask(http, "/key", token)
        assert refused_because(hub, r, "RS256")
