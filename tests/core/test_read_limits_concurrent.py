"""The cash dialog's limits: the customer's and the segment's four limit lists are read at once
(one round trip on a slow branch link, not four), with the sequential outcome: the same
limits, and a failed read raises the same ``PlatformError`` as before, with no read left
running. Against a real sandbox that answers after 200 ms; requests are counted by a
transport that forwards each one to it (observes only), faults injected by one that answers a
chosen path itself."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal

import httpx
import pytest
from test_approvals_helpers import SUPERVISOR, TELLER, client_for, employee, new_customer

from teller_app.core.cash_checks import effective_limits, read_limits
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import PlatformClient, PlatformError
from teller_app.platform.auth import PasswordLogin
from teller_app.platform.models import NewLimit

SEGMENT = "retail"
Handler = Callable[[httpx.Request], Awaitable[httpx.Response | None]]


@pytest.fixture(scope="module")
def slow_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A private sandbox answering every request after 200 ms (a branch link's round trip)."""
    proc = start_sandbox(tmp_path_factory.mktemp("slow-sandbox"), "--latency-ms", "200")
    yield proc
    proc.stop()


class Forwarding(httpx.AsyncBaseTransport):
    """Sends each request on to the sandbox, counting the limit reads in flight at once;
    ``answer`` may answer a request itself (a fault) by returning a response."""

    def __init__(self, answer: Handler | None = None) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.answer = answer
        self.now = self.most = 0
        self.limit_reads: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_limit = "/limits/" in request.url.path
        if is_limit:
            self.limit_reads.append(request.url.path.split("/limits/", 1)[1])
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            own = await self.answer(request) if self.answer else None
            if own is not None:
                return own
            response = await self.real.handle_async_request(request)
            await response.aread()
            return response
        finally:
            if is_limit:
                self.now -= 1

    async def aclose(self) -> None:
        await self.real.aclose()


async def _client(sandbox: SandboxProcess, transport: Forwarding) -> PlatformClient:
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                            auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]),
                            transport=transport)
    await client.login()
    return client


def _others() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


def test_the_four_limit_lists_are_read_at_once(slow_sandbox: SandboxProcess) -> None:
    async def scenario() -> None:
        seen = Forwarding()
        client = await _client(slow_sandbox, seen)
        try:
            guid = await new_customer(client, slow_sandbox)
            asset = slow_sandbox.manifest["asset"]
            account = (await client.get_customer_accounts(guid))[0]
            wire = account.assets[0]
            sup = await client_for(slow_sandbox, SUPERVISOR)
            try:  # limits of its own, so the answer is not all empty
                for period in (None, "day"):
                    body = NewLimit(customer_guid=guid,
                                    account_type_guid=account.wallet_account_guid,
                                    asset_code=wire.stellar_code,
                                    asset_issuer=wire.stellar_issuer, max=Decimal("500"),
                                    period=period)
                    if period is None:
                        await sup.set_customer_payment_limit(body)
                    else:
                        await sup.set_customer_amount_limit(body)
            finally:
                await sup.aclose()
            seen.most = 0
            seen.limit_reads.clear()
            limits = await read_limits(client, guid, SEGMENT, [account.wallet_account_guid],
                                       asset["code"], asset["stellar_code"])
            assert sorted(seen.limit_reads) == ["customer/amount", "customer/payment",
                                                "segment/amount", "segment/payment"]
            assert seen.most == 4  # all four in flight together: one round trip
            # the same limits as the lists read one after another give
            expected = effective_limits(
                await client.get_customer_payment_limits(guid),
                await client.get_customer_amount_limits(guid),
                await client.get_segment_payment_limits(SEGMENT),
                await client.get_segment_amount_limits(SEGMENT),
                asset["code"], asset["stellar_code"])
            assert (limits.operation_min, limits.operation_max, limits.from_segment) == (
                expected[0], expected[1], expected[3])
            assert limits.operation_max == Decimal("500")
            assert {u.period: (u.max, u.days) for u in limits.periods} == expected[2]
            assert expected[2]["day"] == (Decimal("500"), 1)
            # no segment: only the customer's two lists, still together
            seen.most = 0
            seen.limit_reads.clear()
            await read_limits(client, guid, "", [], asset["code"], "")
            assert sorted(seen.limit_reads) == ["customer/amount", "customer/payment"]
            assert seen.most == 2
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_a_failed_read_raises_as_before_and_leaves_none_running(
    slow_sandbox: SandboxProcess,
) -> None:
    async def scenario() -> None:
        segment_sent, segment_cancelled = asyncio.Event(), asyncio.Event()
        failing, together = True, False

        async def answer(request: httpx.Request) -> httpx.Response | None:
            path = request.url.path
            if failing and path.endswith("/limits/customer/amount"):
                # refused once the segment's read is on its way (bounded: the sequential
                # code never sends it, and then this must still answer)
                if together:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(segment_sent.wait(), 10)
                return httpx.Response(403, json={"message": "not allowed"})
            if failing and path.endswith("/limits/segment/payment"):
                segment_sent.set()
                try:
                    await asyncio.Event().wait()  # an answer that never comes
                except asyncio.CancelledError:
                    segment_cancelled.set()
                    raise
            return None

        transport = Forwarding(answer)
        client = await _client(slow_sandbox, transport)
        try:
            guid = await new_customer(client, slow_sandbox)
            with pytest.raises(PlatformError) as alone:  # the read by itself: what it raised
                await client.get_customer_amount_limits(guid)
            together = True
            before = _others()
            with pytest.raises(PlatformError) as caught:
                await read_limits(client, guid, SEGMENT, [], "UAH", "")
            assert type(caught.value) is type(alone.value)  # not an ExceptionGroup
            assert caught.value.path == alone.value.path
            assert segment_sent.is_set()  # it was sent together with the failing one ...
            assert segment_cancelled.is_set()  # ... and cancelled, not left waiting
            assert _others() <= before
            failing = False
            await read_limits(client, guid, SEGMENT, [], "UAH", "")  # the client still works
        finally:
            await client.aclose()

    asyncio.run(scenario())
