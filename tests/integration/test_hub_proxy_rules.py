"""The proxy's pure rules: which paths the desk may use, and which role may use them; and the
tokens it mints (short, single-use, audience-bound)."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from teller_app.hub.proxy_rules import Refusal, allowed, classify
from teller_app.hub.proxy_tokens import Minter

CP = "cp-1"


def _kind(method: str, tail: str) -> str:
    return classify(method, f"api/v1/counterparty/{CP}/{tail}", CP).kind


def test_paths_the_desk_uses_are_classified() -> None:
    assert _kind("GET", "customers") == "customers_list"
    assert _kind("POST", "customers") == "customer_create"
    assert _kind("PUT", "customers/abc-1") == "customer_update"
    assert _kind("POST", "customers/abc-1/accounts") == "customer_account_create"
    assert _kind("POST", "branch/b-1/payments/confirm") == "branch_payment_confirm"
    assert _kind("POST", "payments/confirm") == "payment_confirm"
    assert classify("GET", "api/v1/dictionary/payment/category", CP).kind == "reference"


@pytest.mark.parametrize("method,path,status", [
    ("POST", f"api/v1/counterparty/{CP}/employees", 404),
    ("DELETE", f"api/v1/counterparty/{CP}/customers/abc", 404),
    ("POST", f"api/v1/counterparty/{CP}/jwk", 404),
    ("GET", f"api/v1/counterparty/{CP}/customers/..", 404),
    ("GET", f"api/v1/counterparty/{CP}/customers/a%2Fb", 404),
    ("GET", "api/v1/counterparty/other/customers", 403),
    ("GET", "kratos/self-service/login/api", 404),
])
def test_everything_else_is_refused(method: str, path: str, status: int) -> None:
    with pytest.raises(Refusal) as info:
        classify(method, path, CP)
    assert info.value.status == status


def test_role_table() -> None:
    confirm = classify("POST", f"api/v1/counterparty/{CP}/branch/b/payments/confirm", CP)
    limits = classify("POST", f"api/v1/counterparty/{CP}/limits/customer/payment", CP)
    create = classify("POST", f"api/v1/counterparty/{CP}/customers", CP)
    assert not allowed(("Teller",), confirm) and not allowed(("Teller",), limits)
    assert allowed(("Teller",), create)
    assert allowed(("Supervisor",), confirm) and allowed(("Supervisor",), limits)
    assert allowed(("Administrator",), confirm)
    assert not allowed((), create) and not allowed(("Auditor",), create)


def test_minted_tokens_are_short_single_use_and_audience_bound() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    minter = Minter(key, "kid-1", "dcm", lifetime=3600)  # asked for more: capped at 60 s
    one, two = (minter.mint("t@bank", "sign-up", "login-1") for _ in range(2))
    claims = jwt.decode(one, key.public_key(), algorithms=["RS256"], audience="dcm")
    assert claims["exp"] - claims["iat"] <= 60
    assert claims["sub"] == "t@bank" and claims["flow"] == "sign-up" and claims["obj"] == "login-1"
    assert claims["jti"] != jwt.decode(two, key.public_key(), algorithms=["RS256"],
                                       audience="dcm")["jti"]
    assert jwt.get_unverified_header(one)["kid"] == "kid-1"
    assert "key" not in repr(minter).replace("key=***", "")
