"""Independent reads travel together (card open, the cash dialog's context, a history page),
with the sequential code's outcome: same results, the first failure in read order raised,
no read left running. Counted with httpx event hooks on the real client against the real
sandbox (requests in flight at once; the accounts read ``create`` no longer repeats)."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import httpx
import pytest
from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.concurrent_reads import read_all, read_both
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.history import HistoryPager
from teller_app.core.views import account_from_platform, customer_from_platform
from teller_app.platform import NotFound, PlatformClient


class InFlight:
    """Requests of the real client: how many were in flight at once, and which were sent."""

    def __init__(self, client: PlatformClient) -> None:
        self.now = self.most = 0
        self.sent: list[str] = []
        hooks = client._http._client.event_hooks
        hooks["request"].append(self._request)
        hooks["response"].append(self._response)

    async def _request(self, request: httpx.Request) -> None:
        self.now += 1
        self.most = max(self.most, self.now)
        self.sent.append(f"{request.method} {request.url.path}")

    async def _response(self, response: httpx.Response) -> None:
        self.now -= 1

    def reset(self) -> None:
        self.most = self.now
        self.sent.clear()


def _others() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


def test_card_open_reads_customer_and_accounts_at_once(sandbox: SandboxProcess) -> None:
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            guid = await new_customer(client, sandbox)
            seen = InFlight(client)
            snapshot = await CustomerService(client).refresh(guid)
            assert seen.most >= 2  # one round trip, not two
            assert snapshot.customer == customer_from_platform(await client.get_customer(guid))
            assert snapshot.accounts == [account_from_platform(a)
                                         for a in await client.get_customer_accounts(guid)]
            # an unknown customer: the customer's NotFound, as before; nothing left running
            before = _others()
            with pytest.raises(NotFound) as caught:
                await CustomerService(client).refresh(str(uuid.uuid4()))
            assert not (caught.value.path or "").endswith("/accounts")
            assert _others() <= before
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_cash_context_reads_at_once_and_create_reuses_its_accounts(
    sandbox: SandboxProcess,
) -> None:
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            guid = await new_customer(client, sandbox)
            await service.category_guid(CashKind.DEPOSIT)  # categories read once per service
            seen = InFlight(client)
            context = await service.prepare(CashKind.DEPOSIT, guid)
            assert seen.most >= 2
            accounts = service.prepared_accounts[guid]
            assert accounts == tuple(await client.get_customer_accounts(guid))
            seen.reset()
            draft = await service.create(CashKind.DEPOSIT, guid, "10.00", accounts=accounts)
            assert not [s for s in seen.sent if s.endswith("/accounts")]  # not read again
            assert draft.customer_account_guid == context.account.guid
            # an unknown customer fails as before (the customer's read, raised first)
            before = _others()
            with pytest.raises(NotFound) as caught:
                await service.prepare(CashKind.DEPOSIT, str(uuid.uuid4()))
            assert not (caught.value.path or "").endswith("/accounts")
            assert _others() <= before
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_history_sides_are_read_at_once(sandbox: SandboxProcess) -> None:
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            guid = await new_customer(client, sandbox)
            draft = await service.create(CashKind.DEPOSIT, guid, "7.00")
            seen = InFlight(client)
            pager = HistoryPager(client, draft.customer_account_guid, branch_guid=branch["guid"])
            rows = await pager.next_page()
            assert seen.most >= 2  # outgoing and incoming sides together
            assert [(r.payment.guid, r.incoming) for r in rows] == [(draft.payment_guid, True)]
            assert pager.at_end and pager.total == 1
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_the_first_failure_in_read_order_is_raised_and_nothing_outlives_it() -> None:
    async def scenario() -> None:
        second_failed = asyncio.Event()
        hanging = asyncio.Event()

        async def fails_late() -> int:
            await second_failed.wait()  # fails only after the second one did
            raise KeyError("first")

        async def fails_early() -> str:
            second_failed.set()
            raise ValueError("second")

        with pytest.raises(KeyError):  # the sequential code would have raised this one
            await read_both(fails_late(), fails_early())

        async def ok() -> int:
            return 1

        async def hangs() -> int:
            hanging.set()
            await asyncio.Event().wait()
            return 2

        async def fails() -> int:
            await hanging.wait()
            raise ValueError("third")

        before = _others()
        with pytest.raises(ValueError, match="third"):
            await read_all(ok(), fails(), hangs())  # fails once the hanging read is sent
        assert _others() == before  # the hanging read was cancelled, not left running
        hanging.clear()
        assert await read_all(ok(), ok()) == [1, 1]

        # the caller cancelled: every read goes with it
        caller = asyncio.ensure_future(read_both(hangs(), hangs()))
        await hanging.wait()
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        assert _others() == before

    asyncio.run(scenario())
