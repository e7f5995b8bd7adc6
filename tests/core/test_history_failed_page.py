"""A history page whose read fails loses no payment: the sides are read together, and when
one fails (the other's rows already read) or a read fails after rows were taken for the page,
the pager stays where it was, so the retry lists the same rows. Every payment appears once.
Real sandbox; a transport wrapping the real one makes one side's list fail (fault injection)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest
from test_approvals_helpers import TELLER, client_for, employee, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.history import HistoryPager
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError, RetryPolicy


class FailIncoming(httpx.AsyncBaseTransport):
    """The real transport; when armed, the next list of the incoming side (``receiver_ids``)
    fails to connect. That side is the later read of a round, so the outgoing side's read is
    always answered and taken in before the failure is raised (core/concurrent_reads)."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.armed = False
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed and "receiver_ids" in request.url.params:
            self.armed = False
            self.failed += 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.real.handle_async_request(request)

    async def aclose(self) -> None:
        await self.real.aclose()


def test_a_failed_page_is_read_again_and_every_payment_appears_once(
        sandbox: SandboxProcess) -> None:
    async def scenario() -> None:
        setup = await client_for(sandbox, TELLER)
        faults = FailIncoming()
        client = PlatformClient(
            sandbox.base_url, sandbox.counterparty_guid, transport=faults,
            retry=RetryPolicy(attempts=1),  # the failure reaches the pager, not a retry
            auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
        try:
            branch = sandbox.manifest["branches"][0]
            cash = CashService(setup, branch["guid"], branch["processing_account_guid"],
                               Decimal("10000.00"))
            guid = await new_customer(setup, sandbox)
            made: list[str] = []  # oldest first: 4 deposits (incoming), 2 withdrawals
            for kind, amount in [(CashKind.DEPOSIT, "100.00")] * 4 + [
                    (CashKind.WITHDRAWAL, "10.00")] * 2:
                draft = await cash.create(kind, guid, amount)
                await cash.confirm(draft.payment_guid)
                made.append(draft.payment_guid)
            account = (await setup.get_customer_accounts(guid))[0].guid
            pager = HistoryPager(client, account, branch_guid=branch["guid"], page_size=3)

            # page 1: both sides read together; the incoming one fails after the outgoing
            # side's rows (both withdrawals: that side's whole total) were read
            faults.armed = True
            with pytest.raises(PlatformError):
                await pager.next_page()
            first = await pager.next_page()
            # page 2: two incoming rows are taken for the page, then that side's next read
            # fails: the rows taken go back with it
            faults.armed = True
            with pytest.raises(PlatformError):
                await pager.next_page()
            listed = [r.payment.guid for r in first]
            for _ in range(5):
                if pager.at_end:
                    break
                listed += [r.payment.guid for r in await pager.next_page()]
            assert faults.failed == 2  # both faults really hit a read
            assert listed == list(reversed(made))  # each once, newest first
            assert pager.at_end
        finally:
            await client.aclose()
            await setup.aclose()

    asyncio.run(scenario())
