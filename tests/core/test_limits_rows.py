"""What a customer's rolling-window limits already hold is counted from the rows, not from
what the payments list was asked for: a server that does not know the senders filter's name
ignores it (the list's filter names are unsure in the docs, §3.8) and answers with everyone's
payments, and only the customer's own confirmed ones may count. Real sandbox; the transport
drops the senders filter on the way, as such a server would."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
from test_approvals_helpers import SUPERVISOR, TELLER, client_for, employee, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.platform import NewLimit, PasswordLogin, PlatformClient


class NoSenderFilter(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/payments"):
            kept = [(k, v) for k, v in request.url.params.multi_items() if "sender" not in k]
            if len(kept) != len(request.url.params.multi_items()):
                self.dropped += 1
                request.url = request.url.copy_with(params=kept)
        return await self.real.handle_async_request(request)

    async def aclose(self) -> None:
        await self.real.aclose()


def test_the_window_counts_only_the_customers_own_payments(sandbox: Any) -> None:
    branch = sandbox.manifest["branches"][0]

    async def scenario(transport: NoSenderFilter) -> list[tuple[str, Decimal, Decimal]]:
        client = await client_for(sandbox, TELLER)
        sup = await client_for(sandbox, SUPERVISOR)
        deaf = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                              auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
        try:
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            mine = await new_customer(client, sandbox)
            other = await new_customer(client, sandbox)
            for guid in (mine, other):  # both funded; both withdraw today
                draft = await service.create(CashKind.DEPOSIT, guid, "1000.00")
                await service.confirm(draft.payment_guid)
            account = (await client.get_customer_accounts(mine))[0]
            asset = account.assets[0]
            await sup.set_customer_amount_limit(NewLimit(
                customer_guid=mine, account_type_guid=account.wallet_account_guid,
                asset_code=asset.stellar_code, asset_issuer=asset.stellar_issuer,
                max=Decimal("400"), period="day"))
            for guid, amount in ((mine, "250.00"), (other, "120.00")):
                draft = await service.create(CashKind.WITHDRAWAL, guid, amount)
                await service.confirm(draft.payment_guid)
            reading = CashService(deaf, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            context = await reading.prepare(CashKind.WITHDRAWAL, mine)
            return [(u.period, u.max, u.spent) for u in context.facts.limits.periods]
        finally:
            for c in (client, sup, deaf):
                await c.aclose()

    transport = NoSenderFilter()
    assert asyncio.run(scenario(transport)) == [("day", Decimal(400), Decimal(250))]
    assert transport.dropped >= 1  # the list really came back unfiltered by sender
