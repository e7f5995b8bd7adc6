"""Fault injection through httpx.MockTransport: timeouts, 5xx, refused connections, garbage
bodies, lost create answers, re-login. No real waits (retry delays are zero)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from platform_fakes import (
    BRANCH,
    CP,
    EMAIL,
    EMPLOYEE_GUID,
    NO_WAIT,
    PASSWORD,
    FakePlatform,
    _json,
)

from teller_app.platform import (
    AuthError,
    BankJwtLogin,
    Conflict,
    CustomerUpdate,
    NewCustomer,
    NewPayment,
    NotFound,
    PasswordLogin,
    PermissionDenied,
    PlatformClient,
    PlatformError,
    Timeout,
    Unavailable,
    ValidationError,
)
from teller_app.platform.auth import READ
from teller_app.platform.errors import RateLimited
from teller_app.platform.traits import ServerTraits

ISSUER = "GC63UKIHPPR4F74IZ6BU24ZCJXHO4Y4C2KAUATDAQQFXKRW5FT6AJKYS"
pytestmark = pytest.mark.asyncio


def client_for(fake: FakePlatform, **kw: object) -> PlatformClient:
    return PlatformClient("https://platform.test", CP, auth=PasswordLogin(EMAIL, PASSWORD),
                          transport=fake.transport(), retry=NO_WAIT, timeout=0.05, **kw)  # type: ignore[arg-type]


def new_customer(login: str = "380501234567") -> NewCustomer:
    return NewCustomer(asset_code="UAH", asset_issuer=ISSUER, login=login, name="Taras")


def on(method: str, path_end: str, result: object, times: int = 1):  # type: ignore[no-untyped-def]
    """A fault that fires ``times`` times for requests matching method + path end."""
    left = [times]

    def fault(request: httpx.Request, fake: FakePlatform):  # type: ignore[no-untyped-def]
        if request.method == method and request.url.path.endswith(path_end) and left[0] > 0:
            left[0] -= 1
            return result() if callable(result) else result
        return None

    return fault


async def test_login_and_bearer_header() -> None:
    fake = FakePlatform()
    async with client_for(fake) as client:
        await client.list_customers()
        assert fake.last_request is not None
        assert fake.last_request.headers["authorization"].startswith("bearer ory_st_")
        assert client.session_token and client.token_expires_at is not None
    assert fake.logins == 1


async def test_get_timeout_is_retried_then_raises_timeout() -> None:
    fake = FakePlatform(faults=[on("GET", "/customers", lambda: httpx.ReadTimeout("t"), 5)])
    async with client_for(fake) as client:
        with pytest.raises(Timeout) as info:
            await client.list_customers(search_string="Шевченко")
    assert fake.count("GET", "/customers") == 3
    assert isinstance(info.value, Unavailable)
    assert info.value.method == "GET" and info.value.path == f"/api/v1/counterparty/{CP}/customers"
    assert "Шевченко" not in str(info.value)


async def test_get_recovers_after_transient_5xx() -> None:
    fake = FakePlatform(faults=[on("GET", "/customers", _json({"error": "boom"}, 503), 2)])
    async with client_for(fake) as client:
        # the is_disabled reading known: no probe requests before the listing
        client.traits = ServerTraits(disabled_reading="exact")
        page = await client.list_customers()
    assert page.total == 0 and fake.count("GET", "/customers") == 3


async def test_a_worded_429_is_final_and_a_bare_one_is_retried() -> None:
    """A 429 that names its refusal (the hub's ``code``) is sent once: re-sending it within a
    second only counts against the caller. A bare 429 (a proxy's) is retried like a 503."""
    worded = _json({"error": "wait", "code": "sign_in_throttled"}, 429)
    fake = FakePlatform(faults=[on("GET", "/accounts", worded, 5)])
    async with client_for(fake) as client:
        with pytest.raises(RateLimited) as info:
            await client.list_accounts()
    assert fake.count("GET", "/accounts") == 1
    assert info.value.status_code == 429 and info.value.reason == "sign_in_throttled"
    assert not isinstance(info.value, Unavailable)
    fake = FakePlatform(faults=[on("GET", "/customers", _json({"error": "slow down"}, 429), 2)])
    async with client_for(fake) as client:
        client.traits = ServerTraits(disabled_reading="exact")
        page = await client.list_customers()
    assert page.total == 0 and fake.count("GET", "/customers") == 3


async def test_a_check_the_hub_could_not_run_is_not_an_unreachable_platform() -> None:
    """Mode B: the hub's proxy refuses a customer PUT whose phone number it could not check
    (503 ``phone_check_unavailable``): nothing was done and the hub is up, so the desk is
    told that (``HubCheckUnavailable``, not ``Unavailable``: it stays online), sent once."""
    from teller_app.platform.errors import HubCheckUnavailable

    refused = _json({"error": "DCM could not be read", "code": "phone_check_unavailable"}, 503)
    fake = FakePlatform(faults=[on("PUT", "/customers/c-1", refused, 5)])
    async with client_for(fake) as client:
        with pytest.raises(HubCheckUnavailable) as info:
            await client.update_customer("c-1", CustomerUpdate(phone_number="+380631234567"))
    assert fake.count("PUT", "/customers/c-1") == 1
    assert not isinstance(info.value, Unavailable) and info.value.status_code == 503


async def test_5xx_on_post_is_not_retried() -> None:
    fake = FakePlatform(faults=[on("POST", "/payments", _json({"error": "boom"}, 500), 5)])
    async with client_for(fake) as client:
        with pytest.raises(Unavailable) as info:
            await client.create_payment(NewPayment(amount=Decimal("10"), asset_code="UAH",
                                                   asset_issuer=ISSUER, sender_id="a",
                                                   receiver_id="b"))
    assert info.value.status_code == 500
    assert fake.count("POST", "/payments") == 1


async def test_connection_refused_is_unavailable() -> None:
    def refuse(request: httpx.Request, fake: FakePlatform) -> Exception:
        return httpx.ConnectError("[Errno 111] Connection refused")

    fake = FakePlatform(faults=[refuse])
    client = client_for(fake)
    with pytest.raises(Unavailable) as info:
        await client.login()
    assert not isinstance(info.value, Timeout) and info.value.status_code is None
    await client.aclose()


async def test_connect_error_on_post_is_retried_because_nothing_was_sent() -> None:
    fake = FakePlatform(faults=[on("POST", "/payments", lambda: httpx.ConnectError("refused"))])
    async with client_for(fake) as client:
        guid = await client.create_payment(NewPayment(amount=Decimal("1.5"), asset_code="UAH",
                                                      asset_issuer=ISSUER, sender_id="a",
                                                      receiver_id="b"))
    assert guid and fake.count("POST", "/payments") == 2


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"{not json", b"\xff\xfe"])
async def test_garbage_body_is_unavailable(body: bytes) -> None:
    fake = FakePlatform(faults=[on("GET", "/customers", lambda: httpx.Response(200, content=body),
                                   9)])
    async with client_for(fake) as client:
        with pytest.raises(Unavailable):
            await client.list_customers()


async def test_wrong_shape_is_unavailable() -> None:
    fake = FakePlatform(faults=[on("GET", "/customers", _json({"customers": "nope"}), 9)])
    async with client_for(fake) as client:
        with pytest.raises(Unavailable):
            await client.list_customers()


async def test_timed_out_create_that_took_effect_is_reconciled() -> None:
    """The platform created the customer but the answer was lost: no second POST."""
    fake = FakePlatform(after_faults=[on("POST", "/customers", lambda: httpx.ReadTimeout("t"))])
    async with client_for(fake) as client:
        created = await client.create_customer(new_customer())
    assert len(fake.customers) == 1
    assert fake.count("POST", "/customers") == 1
    guid = next(iter(fake.customers))
    assert created.customer_guid == guid
    assert created.wallet_account_guid == fake.accounts[guid][0]["guid"]
    assert created.assets[0].code == "UAH"


async def test_timed_out_create_that_did_not_happen_is_sent_once_more() -> None:
    fake = FakePlatform(faults=[on("POST", "/customers", lambda: httpx.ReadTimeout("t"))])
    async with client_for(fake) as client:
        created = await client.create_customer(new_customer())
    assert len(fake.customers) == 1 and fake.count("POST", "/customers") == 2
    assert created.customer_guid in fake.customers


async def test_create_5xx_after_effect_then_lookup_flaky_still_one_customer() -> None:
    fake = FakePlatform(
        faults=[on("GET", "/customers", _json({"error": "x"}, 502), 1)],
        after_faults=[on("POST", "/customers", _json({"error": "gateway"}, 504))],
    )
    async with client_for(fake) as client:
        created = await client.create_customer(new_customer())
    assert len(fake.customers) == 1 and created.customer_guid in fake.customers
    assert fake.count("POST", "/customers") == 1


async def test_create_answer_lost_twice_still_one_customer() -> None:
    fake = FakePlatform(faults=[on("POST", "/customers", lambda: httpx.ReadTimeout("t"))],
                        after_faults=[on("POST", "/customers", lambda: httpx.ReadTimeout("t"))])
    async with client_for(fake) as client:
        created = await client.create_customer(new_customer())
    assert len(fake.customers) == 1 and created.customer_guid in fake.customers


async def test_duplicate_login_is_conflict() -> None:
    fake = FakePlatform()
    async with client_for(fake) as client:
        await client.create_customer(new_customer("dup"))
        with pytest.raises(Conflict) as info:
            await client.create_customer(new_customer("dup"))
    assert info.value.status_code == 400
    assert "409" in info.value.message


@pytest.mark.parametrize(
    ("status", "body", "exc"),
    [
        (400, {"error": "invalid UUID length: 0"}, ValidationError),
        (403, {"error": "forbidden: branch access"}, PermissionDenied),
        (404, {"error": "not found"}, NotFound),
        (409, {"error": "branch name exists"}, Conflict),
        (400, {"error": "create employee identity: 409 Conflict"}, Conflict),
        (418, {"error": "teapot"}, PlatformError),
    ],
)
async def test_error_mapping(status: int, body: dict[str, str], exc: type[Exception]) -> None:
    fake = FakePlatform(faults=[on("GET", "/accounts", _json(body, status))])
    async with client_for(fake) as client:
        with pytest.raises(exc) as info:
            await client.list_accounts()
    err = info.value
    assert isinstance(err, PlatformError)
    assert err.status_code == status and err.message == body["error"]
    assert err.method == "GET" and err.path == f"/api/v1/counterparty/{CP}/accounts"


async def test_relogin_once_after_expiry_and_concurrent_401s_log_in_once() -> None:
    fake = FakePlatform()
    async with client_for(fake) as client:
        await client.list_customers()
        old = client.session_token
        fake.expire_sessions()
        await asyncio.gather(*(client.list_customers() for _ in range(5)))
        assert client.session_token != old
    assert fake.logins == 2


async def test_401_after_relogin_is_auth_error() -> None:
    fake = FakePlatform(faults=[on("GET", "/customers", _json({"error": "nope"}, 401), 9)])
    async with client_for(fake) as client:
        with pytest.raises(AuthError) as info:
            await client.list_customers()
    assert info.value.reason == "expired"
    assert fake.logins == 2


async def test_wrong_password_is_auth_error_without_the_password() -> None:
    fake = FakePlatform()
    client = PlatformClient("https://platform.test", CP,
                            auth=PasswordLogin(EMAIL, "Wrong-Secret-Password-1"),
                            transport=fake.transport(), retry=NO_WAIT)
    with pytest.raises(AuthError) as info:
        await client.login()
    assert info.value.reason == "invalid_credentials"
    for text in (str(info.value), repr(info.value), repr(client.auth)):
        assert "Wrong-Secret-Password-1" not in text
    await client.aclose()


async def test_saved_session_token_is_reused_then_refreshed() -> None:
    fake = FakePlatform()
    fake.tokens.add("ory_st_saved_token_value")
    auth = PasswordLogin(EMAIL, PASSWORD, session_token="ory_st_saved_token_value")
    async with PlatformClient("https://platform.test", CP, auth=auth, transport=fake.transport(),
                              retry=NO_WAIT) as client:
        await client.list_customers()
        assert fake.logins == 0
        fake.expire_sessions()
        await client.list_customers()
    assert fake.logins == 1


async def test_whoami_and_update_body() -> None:
    fake = FakePlatform()
    async with client_for(fake) as client:
        me = await client.whoami()
        assert me.guid == EMPLOYEE_GUID and me.branch_guid == BRANCH and me.roles == ["Teller"]
        await client.update_customer("c1", CustomerUpdate(name="Ivan", branch_guid=None))
        await client.update_customer("c1", CustomerUpdate(branch_guid=BRANCH,
                                                          balance_allowed=Decimal("10.50")))
    assert fake.bodies[-2] == {"name": "Ivan", "branch_guid": {"valid": False, "value": ""}}
    assert fake.bodies[-1] == {"branch_guid": {"valid": True, "value": BRANCH},
                               "balance_allowed": 10.5}
    raw = fake.last_request.content.decode()  # type: ignore[union-attr]
    assert '"balance_allowed":10.50' in raw  # a JSON number, exact


async def test_decimals_exact_and_quantized() -> None:
    raw = (b'{"accounts": [{"guid": "a1", "assets": [{"code": "UAH", "minor_unit": 2,'
           b' "balance": 12345678901234.105}]}], "total": 1}')
    fake = FakePlatform(faults=[on("GET", "/c9/accounts",
                                   lambda: httpx.Response(200, content=raw))])
    async with client_for(fake) as client:
        (acc,) = await client.get_customer_accounts("c9")
    balance = acc.assets[0].balance
    assert isinstance(balance, Decimal) and balance == Decimal("12345678901234.10")
    with pytest.raises(ValueError):
        NewPayment(amount=Decimal("1.005"), asset_code="UAH", asset_issuer=ISSUER)
    assert NewPayment(amount=Decimal("7"), asset_code="UAH", asset_issuer=ISSUER).amount == \
        Decimal("7.00")


async def test_repeatable_query_params() -> None:
    fake = FakePlatform()
    async with client_for(fake) as client:
        await client.list_customers(names=["a", "b"], branch_guids=[BRANCH], is_disabled=True,
                                    kyc_levels=[1, 2], offset=5, limit=7)
    query = fake.last_request.url.params  # type: ignore[union-attr]
    assert query.get_list("names") == ["a", "b"] and query.get_list("kyc_levels") == ["1", "2"]
    assert query["is_disabled"] == "true" and query["offset"] == "5" and query["limit"] == "7"


def _rsa_pem() -> tuple[bytes, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, key.public_key()


async def test_bank_jwt_headers_and_claims() -> None:
    pem, public = _rsa_pem()
    fake = FakePlatform()
    auth = BankJwtLogin(EMAIL, pem, kid="54321")
    async with PlatformClient("https://platform.test", CP, auth=auth, transport=fake.transport(),
                              retry=NO_WAIT) as client:
        await client.list_customers()
        req = fake.last_request
        assert req is not None and req.headers["authorization"] == ""
        token = req.headers["cx-authorization"]
        assert jwt.get_unverified_header(token)["kid"] == "54321"
        claims = jwt.decode(token, public, algorithms=["RS256"],  # type: ignore[arg-type]
                            audience="dcm")
        assert claims["sub"] == EMAIL and claims["flow"] == "sign-in" and claims["obj"] == CP
        assert claims["exp"] - claims["iat"] == 60 and claims["aud"] == "dcm"
        assert claims["jti"] and claims["jti"] != jwt.decode(
            auth.token(READ, CP), public, algorithms=["RS256"],  # type: ignore[arg-type]
            audience="dcm")["jti"]
        await client.create_customer(new_customer("jwt-login"))
        post = next(r for r in [fake.last_request] if r)  # last = the POST
        claims = jwt.decode(post.headers["cx-authorization"], public,  # type: ignore[arg-type]
                            algorithms=["RS256"], audience="dcm")
        assert claims["flow"] == "sign-up" and claims["obj"] == "jwt-login"
    assert fake.logins == 0


async def test_bank_jwt_bad_key_is_auth_error() -> None:
    client = PlatformClient("https://platform.test", CP,
                            auth=BankJwtLogin(EMAIL, b"-----BEGIN PRIVATE KEY-----\nxx", "k"),
                            transport=FakePlatform().transport())
    with pytest.raises(AuthError) as info:
        await client.login()
    assert info.value.reason == "bad_key"
    await client.aclose()


async def test_disabled_employee_login_reason() -> None:
    fake = FakePlatform(employee_disabled=True)
    client = client_for(fake)
    with pytest.raises(AuthError) as info:
        await client.login()
    assert info.value.reason == "disabled"
    await client.aclose()


async def test_unknown_fields_and_statuses_are_tolerated() -> None:
    payment = {"guid": "p1", "amount": 100, "status": "PENDING_SIGNATURES", "new_field": [1],
               "stellar_info": {"hash": "ab" * 32}, "created_at": "text"}
    fake = FakePlatform(faults=[on("GET", "/payments/p1", _json(payment))])
    async with client_for(fake) as client:
        got = await client.get_payment("p1")
    assert got.status.value == "UNKNOWN" and got.status_raw == "PENDING_SIGNATURES"
    assert got.amount == Decimal("100.00") and got.stellar_hash == "ab" * 32
    assert got.created_at is None and got.model_extra == {"new_field": [1]}


async def test_received_payment_amounts_follow_the_assets_minor_unit() -> None:
    from teller_app.platform.models import Payment

    exact = Payment.model_validate({"guid": "p", "amount": "1.005", "fee": "0.125"})
    assert exact.amount == Decimal("1.005") and str(exact.fee) == "0.125"  # not rounded to 2
    no_cents = Payment.model_validate({"guid": "p", "amount": "7", "minor_unit": 0})
    assert str(no_cents.amount) == "7"
    three = Payment.model_validate({"guid": "p", "amount": "1.2", "minor_unit": 3})
    assert str(three.amount) == "1.200"
