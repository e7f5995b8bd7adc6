"""Sandbox as DCM: it calls the bank's Auth Service (§2.5) at step 3 of customer create and
payment confirm, with its own RS256 JWT, and declines on 401 / > 1 s / no key."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bank_auth_stub import BankAuthStub
from sandbox_api import ADMIN, TELLER_KYIV, Api

from teller_app.core.embedded_sandbox import start_sandbox

DECLINED = "bank auth service declined: "


@pytest.fixture(scope="module")
def stub() -> Iterator[BankAuthStub]:
    service = BankAuthStub().start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def bapi(stub: BankAuthStub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    sb = start_sandbox(tmp_path_factory.mktemp("sb-bankauth"), "--bank-auth-url", stub.base_url,
                       customers=5)
    stub.jwks_url = f"{sb.base_url}/api/v1/.well-known/jwks.json"
    client = Api(sb)
    yield client
    client.http.close()
    sb.stop()


@pytest.fixture()
def auth(stub: BankAuthStub) -> Iterator[BankAuthStub]:
    stub.reset("ok")
    yield stub
    stub.reset("ok")


def _body(api: Api, login: str) -> dict[str, Any]:
    return {"asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"], "login": login,
            "name": "Тест", "surname": "Тестенко", "phone_number": "+380501112233",
            "branch_guid": api.branch(0)["guid"]}


def _count(api: Api, login: str) -> int:
    return int(api.get("customers", params={"logins": login}).json()["total"])


def test_manifest_names_the_auth_service(bapi: Api, stub: BankAuthStub) -> None:
    assert bapi.m["bank_auth_url"] == stub.base_url
    assert bapi.m["dcm_jwks_url"].endswith("/api/v1/.well-known/jwks.json")


def test_create_calls_user_auth_with_a_dcm_jwt(bapi: Api, auth: BankAuthStub) -> None:
    login = f"ok-{uuid.uuid4().hex[:8]}@test.ua"
    resp = bapi.post("customers", TELLER_KYIV, json=_body(bapi, login))
    assert resp.status_code == 200, resp.text
    assert [c.path for c in auth.calls] == ["user_auth"]
    call = auth.calls[0]
    jwks = bapi.http.get("/api/v1/.well-known/jwks.json").json()["keys"]
    assert call.kid == jwks[0]["kid"]  # the stub verified the signature with that key
    claims = call.claims
    assert (claims["sub"], claims["obj"], claims["flow"]) == (TELLER_KYIV, login, "sign-up")
    assert 0 < claims["exp"] - claims["iat"] <= 60 and claims["jti"]
    # The external id the Auth Service answered is the customer's (search by external id).
    found = bapi.get("accounts", params={"search_string": login}).json()
    accounts = found[0]["accounts"] if isinstance(found, list) else found["accounts"]
    assert accounts and accounts[0]["wallet_user_external_id"] == login


@pytest.mark.parametrize(("mode", "why"), [
    ("deny", "/user_auth answered 401"),
    ("nokey", "/user_auth has no key"),
    ("slow", "did not answer within 1 s"),
])
def test_create_declined(bapi: Api, auth: BankAuthStub, mode: str, why: str) -> None:
    auth.mode = mode
    login = f"{mode}-{uuid.uuid4().hex[:8]}@test.ua"
    resp = bapi.post("customers", ADMIN, json=_body(bapi, login))
    # "slow": the stub answers only once released below, so this answer did not wait for it
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error.startswith(DECLINED) and why in error
    auth.release.set()
    assert _count(bapi, login) == 0  # nothing was created


def test_confirm_calls_key_with_the_payer(bapi: Api, auth: BankAuthStub) -> None:
    payer_login = f"payer-{uuid.uuid4().hex[:8]}@test.ua"
    payer = bapi.post("customers", ADMIN, json=_body(bapi, payer_login)).json()
    payee = bapi.new_customer(branch_guid=bapi.branch(0)["guid"])
    branch = bapi.branch(0)
    auth.reset("ok")
    # Cash-in: the branch's processing account pays; obj = its key keeper.
    cash_in = bapi.pay(branch["processing_account_guid"], payer["guid"], "50.00",
                       who=TELLER_KYIV)
    assert cash_in.status_code == 200, cash_in.text
    assert [(c.path, c.claims["obj"], c.claims["flow"], c.claims["sub"]) for c in auth.calls] \
        == [("key", f"keykeeper:{branch['guid']}", "sign-in", TELLER_KYIV)]
    auth.reset("ok")
    transfer = bapi.pay(payer["guid"], payee["guid"], "10.00", who=TELLER_KYIV)
    assert transfer.status_code == 200, transfer.text
    assert [(c.path, c.claims["obj"]) for c in auth.calls] == [("key", payer_login)]
    # Head office pays (the counterparty's processing account): its key keeper.
    listed = bapi.get("accounts", params={"account_kinds": "processing", "limit": 100}).json()
    listed = listed[0] if isinstance(listed, list) else listed
    head = next(a for a in listed["accounts"] if not a.get("branch_guid"))
    auth.reset("ok")
    resp = bapi.pay(head["wallet_account_guid"], payee["guid"], "1.00")
    assert resp.status_code == 200, resp.text
    assert [(c.path, c.claims["obj"]) for c in auth.calls] == [("key", f"keykeeper:{bapi.cp}")]


def test_confirm_declined_leaves_the_draft(bapi: Api, auth: BankAuthStub) -> None:
    payer = bapi.new_customer(branch_guid=bapi.branch(0)["guid"])
    branch = bapi.branch(0)
    auth.reset("deny")
    draft = bapi.pay(branch["processing_account_guid"], payer["guid"], "5.00", confirm=False)
    assert draft.status_code == 200
    guid = draft.json()["guid"]
    resp = bapi.post("payments/confirm", json={"payment_guid": guid})
    assert resp.status_code == 401
    assert resp.json()["error"] == DECLINED + "/key answered 401"
    assert bapi.get(f"payments/{guid}").json()["status"] == "CREATED"
    auth.reset("ok")
    assert bapi.post("payments/confirm", json={"payment_guid": guid}).status_code == 200


def test_callback_does_not_block_the_event_loop(bapi: Api, auth: BankAuthStub) -> None:
    auth.reset("hold")
    result: list[httpx.Response] = []
    login = f"hold-{uuid.uuid4().hex[:8]}@test.ua"
    body = _body(bapi, login)
    token = bapi.token(ADMIN)
    worker = threading.Thread(target=lambda: result.append(httpx.post(
        f"{bapi.sb.base_url}/api/v1/counterparty/{bapi.cp}/customers", json=body,
        headers={"Authorization": f"bearer {token}"}, timeout=10)))
    worker.start()
    assert auth.entered.wait(10)
    other = bapi.get("branches")
    assert other.status_code == 200
    assert not result  # answered while the held callback kept the create waiting
    auth.release.set()
    worker.join(10)
    assert result and result[0].status_code in (200, 401)  # released before or after 1 s
    assert _count(bapi, login) == (1 if result[0].status_code == 200 else 0)


def test_unreachable_service_declines(tmp_path: Path) -> None:
    with socketless_port() as url:
        sb = start_sandbox(tmp_path / "sb", "--bank-auth-url", url, customers=0)
        try:
            api = Api(sb)
            resp = api.post("customers", json=_body(api, f"u-{uuid.uuid4().hex[:8]}@test.ua"))
            assert resp.status_code == 401
            assert resp.json()["error"].startswith(DECLINED + "/user_auth unreachable")
            api.http.close()
        finally:
            sb.stop()
    # A restart without the flag keeps the stored URL; "" removes it.
    again = start_sandbox(tmp_path / "sb", customers=0)
    try:
        assert again.manifest["bank_auth_url"] == url
    finally:
        again.stop()
    cleared = start_sandbox(tmp_path / "sb", "--bank-auth-url", "", customers=0)
    try:
        assert cleared.manifest["bank_auth_url"] is None
        api = Api(cleared)
        resp = api.post("customers", json=_body(api, f"c-{uuid.uuid4().hex[:8]}@test.ua"))
        assert resp.status_code == 200, resp.text
        api.http.close()
    finally:
        cleared.stop()


class socketless_port:
    """A loopback URL nobody listens on (the port is released on exit)."""

    def __enter__(self) -> str:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_additional_account_calls_key(bapi: Api, auth: BankAuthStub) -> None:
    login = f"acc-{uuid.uuid4().hex[:8]}@test.ua"
    guid = bapi.post("customers", TELLER_KYIV, json=_body(bapi, login)).json()["customer_guid"]
    auth.reset("deny")
    refused = bapi.post(f"customers/{guid}/accounts", TELLER_KYIV, json={})
    assert refused.status_code == 401
    assert refused.json()["error"] == DECLINED + "/key answered 401"
    assert len(bapi.get(f"customers/{guid}/accounts").json()["accounts"]) == 1
    auth.reset("ok")
    resp = bapi.post(f"customers/{guid}/accounts", TELLER_KYIV, json={})
    assert resp.status_code == 200, resp.text
    assert [(c.path, c.claims["sub"], c.claims["obj"], c.claims["flow"]) for c in auth.calls] \
        == [("key", TELLER_KYIV, login, "sign-up")]
