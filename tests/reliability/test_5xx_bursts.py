"""5xx bursts against the real sandbox: reads are retried and succeed; a create whose answer
is lost after the platform applied it is reconciled, never sent twice; a payment-like POST
is never retried. Each scenario checks the platform afterwards: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from reliability_helpers import TELLER, FaultyTransport, new_customer, password_of

from teller_app.platform import (
    PasswordLogin,
    PlatformClient,
    RetryPolicy,
    Unavailable,
)
from teller_app.platform.traits import ServerTraits

FAST = RetryPolicy(attempts=4, base_delay=0.0, max_delay=0.0)


def client(sandbox: Any, transport: httpx.AsyncBaseTransport | None = None,
           retry: RetryPolicy = FAST) -> PlatformClient:
    return PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                          auth=PasswordLogin(TELLER, password_of(sandbox, TELLER)),
                          transport=transport, retry=retry)


def burst(method: str, path_end: str, count: int, status: int = 503) -> Any:
    left = [count]

    def fault(request: httpx.Request, _n: int) -> httpx.Response | None:
        if request.method == method and request.url.path.endswith(path_end) and left[0] > 0:
            left[0] -= 1
            return httpx.Response(status, json={"error": "injected burst"})
        return None

    return fault


def test_reads_survive_a_burst_of_server_errors(sandbox: Any) -> None:
    async def scenario() -> None:
        transport = FaultyTransport(burst("GET", "/customers", 3, 502))
        async with client(sandbox, transport) as c:
            c.traits = ServerTraits(disabled_reading="exact")  # no is_disabled probe requests
            page = await c.list_customers(limit=5)
        assert page.customers  # the 4th attempt answered
        assert sum(1 for m, p in transport.sent if m == "GET" and p.endswith("/customers")) == 4

    asyncio.run(scenario())


def test_a_longer_burst_is_reported_not_hidden(sandbox: Any) -> None:
    async def scenario() -> None:
        transport = FaultyTransport(burst("GET", "/customers", 10))
        async with client(sandbox, transport) as c:
            with pytest.raises(Unavailable):
                await c.list_customers(limit=5)
        assert sum(1 for m, _p in transport.sent if m == "GET") >= 4

    asyncio.run(scenario())


def test_a_create_applied_then_answered_503_is_reconciled_once(sandbox: Any) -> None:
    async def scenario() -> None:
        transport = FaultyTransport(burst("POST", "/customers", 1))
        async with client(sandbox, transport) as c:
            branch = (await c.whoami()).branch_guid
            new = new_customer(sandbox, branch)
            created = await c.create_customer(new)
        assert transport.posts("/customers") == 1  # found by login: not sent again
        async with client(sandbox) as clean:
            found = await clean.list_customers(logins=[new.login], limit=10)
        assert [x.wallet_user_guid for x in found.customers] == [created.customer_guid]

    asyncio.run(scenario())


def test_a_create_whose_connection_was_refused_is_sent_once_more(sandbox: Any) -> None:
    async def scenario() -> None:
        left = [1]

        def refuse_first(request: httpx.Request, _n: int) -> str | None:
            if request.method == "POST" and request.url.path.endswith("/customers") and left[0]:
                left[0] -= 1
                return "drop-before"
            return None

        transport = FaultyTransport(refuse_first)
        async with client(sandbox, transport) as c:
            new = new_customer(sandbox, (await c.whoami()).branch_guid)
            await c.create_customer(new)
        assert transport.posts("/customers") == 1
        async with client(sandbox) as clean:
            found = await clean.list_customers(logins=[new.login], limit=10)
        assert len(found.customers) == 1

    asyncio.run(scenario())


def test_a_lost_create_answer_never_makes_a_second_customer(sandbox: Any) -> None:
    async def scenario() -> None:
        left = [1]

        def lose(request: httpx.Request, _n: int) -> str | None:
            if request.method == "POST" and request.url.path.endswith("/customers") and left[0]:
                left[0] -= 1
                return "lost"
            return None

        transport = FaultyTransport(lose)
        async with client(sandbox, transport) as c:
            new = new_customer(sandbox, (await c.whoami()).branch_guid)
            created = await c.create_customer(new)
        assert transport.posts("/customers") == 1
        async with client(sandbox) as clean:
            found = await clean.list_customers(logins=[new.login], limit=10)
        assert [x.wallet_user_guid for x in found.customers] == [created.customer_guid]

    asyncio.run(scenario())
