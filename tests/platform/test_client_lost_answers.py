"""Lost answers to writes, against the real sandbox (a fault-injecting transport loses or
replaces answers; the requests really reach it): a write is settled by reading, never by a
blind re-send; a create whose outcome stayed unknown is settled by its login on the retry."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from lost_helpers import Swallowing
from sandbox_helpers import new_customer, password_client

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import CustomerUpdate, PlatformClient, RetryPolicy, Timeout
from tests.reliability.reliability_helpers import Fault, FaultyTransport

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


def teller(sandbox: SandboxProcess, transport: httpx.AsyncBaseTransport | None = None
           ) -> PlatformClient:
    return password_client(sandbox, transport=transport, retry=FAST)


def customers(request: httpx.Request, method: str) -> bool:
    return request.method == method and request.url.path.endswith("/customers")


async def logins_on_platform(sandbox: SandboxProcess, login: str) -> list[str]:
    async with teller(sandbox) as clean:
        page = await clean.list_customers(logins=[login], limit=10)
    return [c.wallet_user_guid for c in page.customers]


async def test_a_create_left_unknown_is_found_on_the_retry_and_not_sent_again(
        sandbox: SandboxProcess) -> None:
    """The POST landed, its answer was lost, and the lookup failed too (network still
    down): the error says the outcome is unknown; the retry finds the customer by login."""
    state = {"lose": True, "down": False}

    def fault(request: httpx.Request, _n: int) -> str | None:
        if state["down"]:
            return "drop-before"
        if customers(request, "POST") and state["lose"]:
            state.update(lose=False, down=True)
            return "lost"
        return None

    transport = FaultyTransport(fault)
    new = new_customer(sandbox)
    async with teller(sandbox, transport) as client:
        await client.whoami()
        with pytest.raises(Timeout) as info:
            await client.create_customer(new)
        assert not info.value.not_sent  # unknown, never "nothing was sent"
        state["down"] = False
        created = await client.create_customer(new, retry=True)
    assert transport.posts("/customers") == 1
    assert await logins_on_platform(sandbox, new.login or "") == [created.customer_guid]


async def test_a_409_on_a_retried_create_is_the_earlier_attempt_not_a_taken_login(
        sandbox: SandboxProcess) -> None:
    """The earlier POST lands only after the retry's lookup (it was still in flight): the
    retry's POST gets 409, and that is settled by the login too."""
    new = new_customer(sandbox)
    async with teller(sandbox) as first:
        earlier = await first.create_customer(new)
    posted = [False]

    def fault(request: httpx.Request, _n: int) -> httpx.Response | None:
        if customers(request, "POST"):
            posted[0] = True
        elif customers(request, "GET") and "logins" in request.url.params and not posted[0]:
            return httpx.Response(200, json={"customers": [], "total": 0})  # not there yet
        return None

    transport = FaultyTransport(fault)
    async with teller(sandbox, transport) as client:
        created = await client.create_customer(new, retry=True)
    assert created.customer_guid == earlier.customer_guid
    assert created.wallet_account_guid == earlier.wallet_account_guid
    assert transport.posts("/customers") == 1  # the one refused with 409


async def test_a_lost_update_answer_is_settled_by_reading_never_by_sending_again(
        sandbox: SandboxProcess) -> None:
    kyiv = sandbox.manifest["branches"][0]["guid"]
    async with teller(sandbox) as setup:
        guid = (await setup.create_customer(new_customer(sandbox))).customer_guid
    mode = {"put": "lost"}
    lose: Fault = lambda r, _n: "lost" if r.method == "PUT" and mode["put"] == "lost" else None  # noqa: E731
    transport = Swallowing(lose, swallow=lambda r: r.method == "PUT" and mode["put"] == "swallow")
    change = CustomerUpdate(name="Леся", phone_number="+380671112299", kyc_level=2,
                            balance_allowed=Decimal("10.50"), branch_guid=kyiv, segment="retail")
    async with teller(sandbox, transport) as client:
        await client.update_customer(guid, change)  # applied, answer lost: read back = done
        mode["put"] = "swallow"
        with pytest.raises(Timeout):  # not applied: not known to be saved, and not re-sent
            await client.update_customer(guid, CustomerUpdate(name="Олена"))
        after = await client.get_customer(guid)
    assert [m for m, _p in transport.sent if m == "PUT"] == ["PUT"]
    assert transport.swallowed == 1
    assert (after.name, after.phone_number, after.kyc_level, after.balance_allowed,
            after.branch_guid, after.segment) == (
        "Леся", "+380671112299", 2, Decimal("10.50"), kyiv, "retail")
