"""Dialect ``jwt-lenient``: DCM checks only the claims the docs list for a bank JWT (§2.4:
``sub``, ``obj``, ``flow``, ``iat``, ``exp``; "expiry is not specified") and applies no rules
to bank-JWT requests (§2.1): no ``jti``/``aud``, no lifetime cap, no single use, no flow/obj
match. On the raw wire, and end to end: the hub's Mode-B proxy and a desk signed in through
it, and a bank-side ``BankJwtLogin`` client, all still work. Real sandbox + hub (SQLite)."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from teller_app.core.cash import CashKind, CashService
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import make_auth, open_session
from teller_app.platform import AuthError, HubLogin, NewCustomer, PlatformClient, _sensitive
from teller_app.platform._sensitive import redact
from tests.mode_b_desk import hub_profile, hub_teller
from tests.onboarded_stack import onboarded_stack
from tests.platform.sandbox_helpers import bank_jwt_auth

pytestmark = pytest.mark.slow
TELLER = "teller.kyiv@demo.bank"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("jwt-lenient"),
                         sandbox_args=("--dialect", "jwt-lenient")) as started:
        assert started.sandbox.manifest["dialects"] == ["jwt-lenient"]
        yield started


def bank_token(sb: SandboxProcess, **claims: Any) -> str:
    """A bank JWT with the documented claims only (overridable), signed with the bank key."""
    cfg = sb.manifest["bank_jwt"]
    now = int(time.time())
    body = {"sub": TELLER, "obj": sb.counterparty_guid, "flow": "sign-in", "iat": now,
            "exp": now, **claims}  # the docs' example: exp == iat
    body = {k: v for k, v in body.items() if v is not None}
    pem = Path(cfg["private_key_pem"]).read_bytes()
    return jwt.encode(body, pem, algorithm="RS256", headers={"kid": str(cfg["kid"])})


def status_with(sb: SandboxProcess, token: str, method: str = "GET",
                path: str = "/customers?limit=1") -> int:
    url = f"{sb.base_url}/api/v1/counterparty/{sb.counterparty_guid}{path}"
    resp = httpx.request(method, url, timeout=10,
                         headers={"CX-Authorization": token, "Authorization": ""})
    return resp.status_code


def test_only_the_documented_claims_are_checked(stack: EmbeddedStack) -> None:
    sb = stack.sandbox
    documented = bank_token(sb)
    assert status_with(sb, documented) == 200  # no jti, no aud, exp == iat (5 s leeway)
    assert status_with(sb, documented) == 200  # used again: no single use
    assert status_with(sb, bank_token(sb, exp=int(time.time()) + 86_400)) == 200  # no cap
    assert status_with(sb, bank_token(sb, aud="someone-else", jti="x")) == 200
    assert status_with(sb, documented, "POST", "/jwk/authenticate") == 200
    # what the docs do list is still checked
    assert status_with(sb, bank_token(sb, obj=None)) == 401
    assert status_with(sb, bank_token(sb, exp=int(time.time()) - 60)) == 401
    forged = documented[:-4] + ("AAAA" if not documented.endswith("AAAA") else "BBBB")
    assert status_with(sb, forged) == 401


def test_the_default_sandbox_keeps_its_stricter_reading(sandbox: SandboxProcess) -> None:
    assert status_with(sandbox, bank_token(sandbox)) == 401  # no jti / aud


def test_a_bank_side_client_confirms_without_a_flow_obj_match(stack: EmbeddedStack) -> None:
    """``BankJwtLogin`` names the counterparty as ``obj`` of a confirm (it never knows the
    payer's login): the default sandbox refuses that with 403; here the hub's Auth Service
    still decides, and the deposit is confirmed."""
    sb = stack.sandbox

    async def scenario() -> str:
        client = PlatformClient(sb.base_url, sb.counterparty_guid, auth=bank_jwt_auth(sb))
        try:
            branch = sb.manifest["branches"][0]
            customers = await client.list_customers(branch_guids=[branch["guid"]], limit=1)
            customer = customers.customers[0].wallet_user_guid
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"), True)
            draft = await service.create(CashKind.DEPOSIT, customer, "25.00")
            return (await service.confirm(draft.payment_guid)).status
        finally:
            await client.aclose()

    assert asyncio.run(scenario()) == "CONFIRMED"


def test_a_desk_signs_in_through_the_hub_and_works(stack: EmbeddedStack) -> None:
    email, password = hub_teller(stack)
    asset = stack.sandbox.manifest["asset"]
    branch = stack.sandbox.manifest["branches"][0]["guid"]

    async def scenario() -> None:
        profile = hub_profile(stack)
        session = await open_session(profile, make_auth(profile, email, password))
        try:
            assert isinstance(session.client.auth, HubLogin)
            page = await session.client.list_customers(limit=5)  # hub-minted sign-in JWTs
            assert page.customers and {c.branch_guid for c in page.customers} == {branch}
            login = f"lenient-{uuid.uuid4().hex[:10]}@example.com"
            customers = CustomerService(session.client, hub=session.hub)  # secret, then POST
            created = await customers.create(NewCustomer(  # a sign-up JWT, obj = the login
                asset_code=asset["code"], asset_issuer=asset["issuer"], login=login,
                name="Леся", surname="Поблажлива", phone_number="+380500000001",
                branch_guid=branch))
            found = await session.client.get_customer(created.customer.wallet_user_guid)
            assert found.login == login
        finally:
            await session.close()

    asyncio.run(scenario())


def test_a_wrong_hub_password_is_not_kept_masked(stack: EmbeddedStack) -> None:
    """Mode B sign-in (``HubLogin``): a wrong guess leaves nothing in the log masking; the
    password that signed in does stay masked."""
    email, password = hub_teller(stack)
    profile = hub_profile(stack)
    wrong = "guess-" + secrets.token_urlsafe(10)
    _sensitive.forget_all_secrets()
    try:
        with pytest.raises(AuthError):
            asyncio.run(open_session(profile, make_auth(profile, email, wrong)))
        assert wrong in redact(f"x {wrong} y") and _sensitive.registered_count() == 0

        async def right() -> None:
            session = await open_session(profile, make_auth(profile, email, password))
            await session.close()

        asyncio.run(right())
        assert password not in redact(f"x {password} y")
    finally:
        _sensitive.forget_all_secrets()
