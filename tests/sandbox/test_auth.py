"""Mode A (Kratos sessions) and Mode B (bank-signed JWT), JWK endpoints, session expiry."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sandbox_api import ADMIN, TELLER_KYIV, Api

INVALID = {"error": "Access credentials are invalid"}


def test_login_flow_shape_and_session(api: Api) -> None:
    flow = api.http.get("/kratos/self-service/login/api").json()
    assert flow["id"]
    assert flow["ui"]["nodes"][0]["attributes"]["name"] == "csrf_token"
    resp = api.login(TELLER_KYIV)
    assert resp.status_code == 200
    body = resp.json()
    assert body["session_token"]
    ident = body["session"]["identity"]
    assert ident["id"] == api.emp(TELLER_KYIV)["guid"]
    assert ident["traits"]["email"] == TELLER_KYIV
    assert body["session"]["expires_at"].endswith("Z")


def test_login_errors(api: Api) -> None:
    wrong = api.login(TELLER_KYIV, password="nope")
    assert wrong.status_code == 401
    assert "error" in wrong.json()
    unknown = api.login("nobody@demo.bank", password="x")
    assert unknown.status_code == 401
    resp = api.http.post("/kratos/self-service/login?flow=00000000-0000-0000-0000-000000000000",
                         data={"identifier": ADMIN, "method": "password",
                               "password": api.emp(ADMIN)["password"]})
    assert resp.status_code == 401
    assert "error" in resp.json()


def test_flow_is_single_use(api: Api) -> None:
    flow = api.http.get("/kratos/self-service/login/api").json()
    form = {"identifier": ADMIN, "method": "password", "password": api.emp(ADMIN)["password"]}
    url = f"/kratos/self-service/login?flow={flow['id']}"
    assert api.http.post(url, data=form).status_code == 200
    assert api.http.post(url, data=form).status_code == 401


def test_bearer_scheme_case_insensitive(api: Api) -> None:
    token = api.token(ADMIN)
    for scheme in ("bearer", "Bearer", "BEARER"):
        resp = api.http.get(api.url("branches"), headers={"Authorization": f"{scheme} {token}"})
        assert resp.status_code == 200, scheme


def test_missing_and_garbage_credentials(api: Api) -> None:
    assert api.get("customers", who=None).json() == INVALID
    assert api.get("customers", who=None).status_code == 401
    for header in ({"Authorization": "bearer nope"}, {"Authorization": "Basic abc"},
                   {"CX-Authorization": "not.a.jwt"}):
        resp = api.http.get(api.url("customers"), headers=header)
        assert resp.status_code == 401
        assert resp.json() == INVALID


def test_mode_b_jwt(api: Api) -> None:
    resp = api.get("customers", who=f"jwt:{ADMIN}")
    assert resp.status_code == 200
    # A teller's JWT: no permission rules (Mode B), but branch scoping follows sub.
    resp = api.get("customers", who=f"jwt:{TELLER_KYIV}", params={"limit": 1000})
    assert resp.status_code == 200
    kyiv = api.branch(0)["guid"]
    assert {c["branch_guid"] for c in resp.json()["customers"]} == {kyiv}


def test_mode_b_expired_and_forged(api: Api, tmp_path: Path) -> None:
    expired = api.bank_jwt(ADMIN, exp_in=-30)
    resp = api.http.get(api.url("customers"), headers={"CX-Authorization": expired})
    assert (resp.status_code, resp.json()) == (401, INVALID)
    within_skew = api.bank_jwt(ADMIN, exp_in=-2)
    resp = api.http.get(api.url("branches"), headers={"CX-Authorization": within_skew})
    assert resp.status_code == 200
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "other.pem"
    pem.write_bytes(other.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
    forged = api.bank_jwt(ADMIN, key_path=str(pem))
    resp = api.http.get(api.url("customers"), headers={"CX-Authorization": forged})
    assert (resp.status_code, resp.json()) == (401, INVALID)
    unknown_kid = api.bank_jwt(ADMIN, kid="nope")
    resp = api.http.get(api.url("customers"), headers={"CX-Authorization": unknown_kid})
    assert resp.status_code == 401


def test_authorization_takes_precedence_over_cx(api: Api) -> None:
    headers = {"Authorization": "bearer nope", "CX-Authorization": api.bank_jwt(ADMIN)}
    assert api.http.get(api.url("customers"), headers=headers).status_code == 401
    headers = {"Authorization": "", "CX-Authorization": api.bank_jwt(ADMIN)}
    assert api.http.get(api.url("customers"), headers=headers).status_code == 200


def test_jwk_register_list_update_and_use(api: Api) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = f"test-{time.time_ns()}"
    import json

    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256"})
    resp = api.post("jwk", json={"data": jwk})
    assert resp.status_code == 200, resp.text
    jguid = resp.json()["guid"]
    assert api.post("jwk", json={"data": jwk}).status_code == 400  # duplicate kid
    keys = api.get("jwk").json()["keys"]
    assert any(k["guid"] == jguid and k["created_at"] for k in keys)
    def token() -> str:
        now = int(time.time())
        return jwt.encode({"sub": ADMIN, "obj": "1", "flow": "sign-in", "iat": now,
                           "exp": now + 60, "jti": f"{time.time_ns()}", "aud": "dcm"},
                          key, algorithm="RS256", headers={"kid": kid})

    assert api.http.get(api.url("branches"),
                        headers={"CX-Authorization": token()}).status_code == 200
    auth = api.http.post(api.url("jwk/authenticate"), headers={"CX-Authorization": token()})
    assert auth.status_code == 200 and auth.json()["session_token"]
    assert api.http.get(api.url("branches"), headers={
        "Authorization": f"bearer {auth.json()['session_token']}"}).status_code == 200
    # PUT replaces the key; the old signature no longer verifies.
    key2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk2 = json.loads(RSAAlgorithm.to_jwk(key2.public_key()))
    jwk2.update({"kid": kid, "alg": "RS256"})
    assert api.put(f"jwk/{jguid}", json={"data": jwk2}).json() == {}
    assert api.http.get(api.url("branches"),
                        headers={"CX-Authorization": token()}).status_code == 401
    assert api.post("jwk", json={"data": {"kty": "EC"}}).status_code == 400
    assert api.post("jwk/authenticate", who=None).status_code == 401


def test_dcm_jwks(api: Api) -> None:
    keys = api.http.get("/api/v1/.well-known/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]


def test_session_expiry_via_sim_and_relogin(fresh_api: Api) -> None:
    api = fresh_api
    assert api.get("branches").status_code == 200
    resp = api.http.post("/__sim/sessions/expire", headers=api.sim)
    assert resp.json()["expired"] >= 1
    resp = api.get("branches")
    assert (resp.status_code, resp.json()) == (401, INVALID)
    api.token(ADMIN, fresh=True)
    assert api.get("branches").status_code == 200


def test_sim_expires_just_the_session_named(api: Api) -> None:
    """Tests on the shared sandbox end their own session, never everyone's."""
    mine, other = (api.login(ADMIN).json()["session_token"] for _ in range(2))
    resp = api.http.post("/__sim/sessions/expire", headers=api.sim, json={"token": mine})
    assert resp.json() == {"expired": 1}
    branches = api.url("branches")
    gone = api.http.get(branches, headers={"Authorization": f"bearer {mine}"})
    assert (gone.status_code, gone.json()) == (401, INVALID)
    assert api.http.get(branches, headers={"Authorization": f"bearer {other}"}).status_code == 200
    assert api.get("branches").status_code == 200  # the fixture's cached session too


def test_session_ttl_in_expires_at(api: Api) -> None:
    from datetime import UTC, datetime

    body = api.login(ADMIN).json()
    expires = datetime.fromisoformat(body["session"]["expires_at"].replace("Z", "+00:00"))
    left = (expires - datetime.now(UTC)).total_seconds()
    assert 850 < left <= 901  # default --session-ttl 900


# -- Mode-B token rules (hub contract): jti single use, aud, lifetime, flow/obj ---------------


def _cx(token: str) -> dict[str, str]:
    return {"CX-Authorization": token, "Authorization": ""}


def test_mode_b_jti_is_single_use(api: Api) -> None:
    token = api.bank_jwt(ADMIN)
    assert api.http.get(api.url("branches"), headers=_cx(token)).status_code == 200
    again = api.http.get(api.url("branches"), headers=_cx(token))
    assert again.status_code == 401 and "replay" in again.json()["error"]
    # jwk/authenticate consumes the jti too.
    token = api.bank_jwt(ADMIN)
    assert api.http.post(api.url("jwk/authenticate"), headers=_cx(token)).status_code == 200
    assert api.http.post(api.url("jwk/authenticate"), headers=_cx(token)).status_code == 401


def test_mode_b_requires_jti_aud_and_short_lifetime(api: Api) -> None:
    cases = {
        "jti": api.bank_jwt(ADMIN, jti=None),
        "aud": api.bank_jwt(ADMIN, aud=None),
        "wrong aud": api.bank_jwt(ADMIN, aud="someone-else"),
        "lifetime": api.bank_jwt(ADMIN, exp_in=301),
    }
    for why, token in cases.items():
        resp = api.http.get(api.url("branches"), headers=_cx(token))
        assert resp.status_code == 401, why
        assert resp.json()["error"].startswith("Access credentials are invalid"), why
    assert api.http.get(api.url("branches"),
                        headers=_cx(api.bank_jwt(ADMIN, exp_in=300))).status_code == 200


def test_jti_cache_is_bounded_and_fails_closed() -> None:
    from teller_app.sandbox.auth import JtiCache

    cache = JtiCache(limit=3)
    now = time.time()
    assert cache.add("a", now - 60)  # already expired: purged when room is needed
    assert cache.add("b", now + 60) and cache.add("c", now + 60)
    assert not cache.add("b", now + 60)  # replay
    assert cache.add("d", now + 60)  # "a" made room
    assert not cache.add("e", now + 60)  # full of live entries: refuse, never forget one


def _new_customer_body(api: Api, login: str) -> dict[str, object]:
    return {"asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"], "login": login,
            "name": "Тест", "surname": "Тестенко", "phone_number": "+380501112233",
            "branch_guid": api.branch(0)["guid"]}


def test_mode_b_flow_and_obj_on_create_and_confirm(api: Api) -> None:
    login = f"b-{time.time_ns()}@test.ua"
    body = _new_customer_body(api, login)
    wrong = [api.bank_jwt(TELLER_KYIV, flow="sign-in", obj=login),
             api.bank_jwt(TELLER_KYIV, flow="sign-up", obj="someone-else@test.ua"),
             api.bank_jwt(TELLER_KYIV, flow="sign-up")]  # obj = the employee
    for token in wrong:
        resp = api.http.post(api.url("customers"), json=body, headers=_cx(token))
        assert resp.status_code == 403, resp.text
        assert "flow/obj" in resp.json()["error"]
    ok = api.http.post(api.url("customers"), json=body,
                       headers=_cx(api.bank_jwt(TELLER_KYIV, flow="sign-up", obj=login)))
    assert ok.status_code == 200, ok.text
    customer = ok.json()

    branch = api.branch(0)
    draft = api.pay(branch["processing_account_guid"], customer["guid"], "20.00",
                    who=TELLER_KYIV, confirm=False)
    confirm = {"payment_guid": draft.json()["guid"]}
    for token in (api.bank_jwt(TELLER_KYIV, flow="sign-in", obj=login),  # not the payer
                  api.bank_jwt(TELLER_KYIV, flow="sign-up",
                               obj=f"keykeeper:{branch['guid']}")):
        resp = api.http.post(api.url("payments/confirm"), json=confirm, headers=_cx(token))
        assert resp.status_code == 403, resp.text
    token = api.bank_jwt(TELLER_KYIV, flow="sign-in", obj=f"keykeeper:{branch['guid']}")
    resp = api.http.post(api.url("payments/confirm"), json=confirm, headers=_cx(token))
    assert resp.status_code == 200, resp.text
    # The customer now pays: obj = their external id (the login).
    other = api.new_customer(branch_guid=branch["guid"])
    draft = api.pay(customer["guid"], other["guid"], "5.00", who=TELLER_KYIV, confirm=False)
    token = api.bank_jwt(TELLER_KYIV, flow="sign-in", obj=login.upper())  # case-insensitive
    resp = api.http.post(api.url("payments/confirm"), json={"payment_guid":
                         draft.json()["guid"]}, headers=_cx(token))
    assert resp.status_code == 200, resp.text
    # An additional account: sign-up for the customer's login.
    path = api.url(f"customers/{customer['customer_guid']}/accounts")
    for token in (api.bank_jwt(TELLER_KYIV, flow="sign-in", obj=login),
                  api.bank_jwt(TELLER_KYIV, flow="sign-up", obj="other@test.ua")):
        assert api.http.post(path, json={}, headers=_cx(token)).status_code == 403
    token = api.bank_jwt(TELLER_KYIV, flow="sign-up", obj=login)
    assert api.http.post(path, json={}, headers=_cx(token)).status_code == 200
    # Reads and updates need no particular obj.
    assert api.http.get(api.url("branches"), headers=_cx(
        api.bank_jwt(TELLER_KYIV, obj="anything"))).status_code == 200


def test_jwt_audience_flag(tmp_path: Path) -> None:
    from teller_app.core.embedded_sandbox import start_sandbox

    sb = start_sandbox(tmp_path / "sb", "--jwt-audience", "bank-x", customers=0)
    try:
        api = Api(sb)
        default = api.http.get(api.url("branches"), headers=_cx(api.bank_jwt(ADMIN)))
        assert default.status_code == 401
        mine = api.http.get(api.url("branches"), headers=_cx(api.bank_jwt(ADMIN, aud="bank-x")))
        assert mine.status_code == 200
        api.http.close()
    finally:
        sb.stop()
