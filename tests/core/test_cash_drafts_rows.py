"""The supervisor's drafts inbox checks every row it lists: §3.8 names the payments list's
filters only in words, so a server may know neither spelling the client sends and answer
every payment of the branch. The inbox must still show the branch's recent CREATED cash
drafts, each once (it asks once per cash category). A private sandbox; the filters are
dropped by a transport in front of it (a server that knows none of their names)."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal

import httpx
from test_approvals_helpers import SUPERVISOR, employee, new_customer

from teller_app.core.cash import CashKind, CashService, find_processing_account
from teller_app.core.cash_drafts import inbox_drafts
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.models import NewPayment

_LIST = re.compile(r"/api/v1/counterparty/[^/]+/(branch/[^/]+/)?payments/?$")


class FilterBlind(httpx.AsyncBaseTransport):
    """The real transport; a payments list reaches DCM with its paging only."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.blinded = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and _LIST.search(request.url.path):
            kept = [(k, v) for k, v in request.url.params.multi_items()
                    if k in ("offset", "limit", "order")]
            self.blinded += len(kept) < len(request.url.params.multi_items())
            request.url = request.url.copy_with(params=kept)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _nobody(_keys: list[str]) -> dict[str, str]:
    return {}


def test_inbox_lists_each_recent_cash_draft_once_when_filters_are_ignored(
        fresh_sandbox: SandboxProcess) -> None:
    async def scenario() -> None:
        transport = FilterBlind()
        client = PlatformClient(fresh_sandbox.base_url, fresh_sandbox.counterparty_guid,
                                transport=transport,
                                auth=PasswordLogin(SUPERVISOR,
                                                   employee(fresh_sandbox, SUPERVISOR)["password"]))
        try:
            branch = fresh_sandbox.manifest["branches"][0]["guid"]
            processing = await find_processing_account(client, branch)
            service = CashService(client, branch, processing, Decimal("10000.00"), True)
            customer = await new_customer(client, fresh_sandbox)
            account = (await client.get_customer_accounts(customer))[0].wallet_account_guid
            done = await service.create(CashKind.DEPOSIT, customer, "50.00")
            await service.confirm(done.payment_guid)  # cash, but no longer a draft
            asset = fresh_sandbox.manifest["asset"]
            await client.create_payment(NewPayment(  # a draft, but no cash category
                amount=Decimal("1.00"), asset_code=asset["code"], asset_issuer=asset["issuer"],
                purpose="not cash", sender_id=processing, receiver_id=account),
                branch_guid=branch)
            deposit = await service.create(CashKind.DEPOSIT, customer, "7.00")
            withdrawal = await service.create(CashKind.WITHDRAWAL, customer, "3.00")
            rows = await inbox_drafts(service, _nobody, _nobody)
            assert transport.blinded > 0
            assert [r.payment_guid for r in rows] == [withdrawal.payment_guid,
                                                      deposit.payment_guid]
            assert [r.kind for r in rows] == [CashKind.WITHDRAWAL, CashKind.DEPOSIT]
            assert [r.customer_guid for r in rows] == [customer, customer]
        finally:
            await client.aclose()

    asyncio.run(scenario())
