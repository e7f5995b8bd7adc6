"""The supervisor's inbox lists the branch's cash drafts from every page of the recent
CREATED cash payments. DCM has no cancel, so voided or abandoned drafts (and other CREATED
payments) stay there for ever: the inbox read one unfiltered page of 100, and once that page
was full a new draft was never listed (seen in the full test run). A private sandbox."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from test_approvals_helpers import SUPERVISOR, client_for, new_customer

from teller_app.core.cash import CashKind, CashService, find_processing_account
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.models import NewPayment


def test_a_new_draft_is_listed_past_a_full_page_of_older_ones(
        fresh_sandbox: SandboxProcess) -> None:
    async def scenario() -> None:
        client = await client_for(fresh_sandbox, SUPERVISOR)
        try:
            branch = fresh_sandbox.manifest["branches"][0]["guid"]
            processing = await find_processing_account(client, branch)
            service = CashService(client, branch, processing, Decimal("10000.00"))
            customer = await new_customer(client, fresh_sandbox)
            account = (await client.get_customer_accounts(customer))[0].wallet_account_guid
            asset = fresh_sandbox.manifest["asset"]
            for _ in range(101):  # CREATED, never to be confirmed: no cash category
                await client.create_payment(NewPayment(
                    amount=Decimal("1.00"), asset_code=asset["code"],
                    asset_issuer=asset["issuer"], purpose="left on DCM",
                    sender_id=processing, receiver_id=account), branch_guid=branch)
            older = [await service.create(CashKind.DEPOSIT, customer, "2.00")
                     for _ in range(3)]
            draft = await service.create(CashKind.DEPOSIT, customer, "15.00")
            listed = {p.guid for p in await service.pending_drafts()}
            assert listed == {d.payment_guid for d in (*older, draft)}
        finally:
            await client.aclose()

    asyncio.run(scenario())
