"""The Kratos login against the real sandbox, with a transport that loses answers (the
requests really reach it): a login whose answer is lost is not sent again on its flow (Kratos
consumes a flow with the first POST, so that would read as a wrong password) but once more on
a new flow; and only a password that signed in stays masked in logs."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from sandbox_helpers import password_client

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import (
    AuthError,
    PasswordLogin,
    PlatformClient,
    RetryPolicy,
    Timeout,
    _sensitive,
)
from teller_app.platform._sensitive import redact
from tests.reliability.reliability_helpers import FaultyTransport

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)
FLOW, LOGIN = "/kratos/self-service/login/api", "/kratos/self-service/login"


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    _sensitive.forget_all_secrets()
    yield
    _sensitive.forget_all_secrets()


def masked(value: str) -> bool:
    return value not in redact(f"seen {value} here")


def lose_logins(count: int) -> FaultyTransport:
    """The first ``count`` login POSTs reach the sandbox; their answers are lost."""
    left = [count]

    def fault(request: httpx.Request, _n: int) -> str | None:
        if request.method == "POST" and request.url.path == LOGIN and left[0] > 0:
            left[0] -= 1
            return "lost"
        return None

    return FaultyTransport(fault)


def calls(transport: FaultyTransport, method: str, path: str) -> int:
    return sum(1 for m, p in transport.sent if m == method and p == path)


async def test_a_lost_login_answer_signs_in_on_a_new_flow(sandbox: SandboxProcess) -> None:
    transport = lose_logins(1)
    async with password_client(sandbox, transport=transport, retry=FAST) as client:
        me = await client.whoami()  # signs in first
        assert me.email == sandbox.employee("Teller", 0)["email"]
        assert client.session_token
    assert calls(transport, "GET", FLOW) == 2  # a new flow for the second attempt
    assert calls(transport, "POST", LOGIN) == 2  # each flow's POST sent once


async def test_a_login_lost_twice_is_a_timeout_not_a_wrong_password(
        sandbox: SandboxProcess) -> None:
    transport = lose_logins(2)
    client = password_client(sandbox, transport=transport, retry=FAST)
    try:
        with pytest.raises(Timeout):
            await client.login()
    finally:
        await client.aclose()
    assert calls(transport, "POST", LOGIN) == 2  # once more, never more


async def test_only_a_password_that_signed_in_stays_masked(sandbox: SandboxProcess) -> None:
    emp = sandbox.employee("Teller", 0)
    wrong = "wrong-" + secrets.token_urlsafe(12)
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                            auth=PasswordLogin(emp["email"], wrong))
    try:
        with pytest.raises(AuthError):
            await client.login()
    finally:
        await client.aclose()
    assert not masked(wrong)  # a wrong guess is not kept by this process
    async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                              auth=PasswordLogin(emp["email"], emp["password"])) as client:
        await client.login()
        token = client.session_token
        assert token and masked(token)
    assert masked(emp["password"])
    assert _sensitive.registered_count() == 2  # password and token: no flow's csrf_token
