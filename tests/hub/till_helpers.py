"""DCM (sandbox) side of the till tests: customers with room for big deposits, cash drafts
made and confirmed with the real platform client."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

from fe_helpers import ADMIN, password_of

from teller_app.core.cash import find_processing_account
from teller_app.platform import CustomerUpdate, NewCustomer, PasswordLogin, PlatformClient
from teller_app.platform.models import NewPayment

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh loop in a worker thread: also from tests whose thread runs qasync."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _client(sandbox: Any) -> PlatformClient:
    return PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                          auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))


def customer(sandbox: Any, branch_guid: str) -> tuple[str, str]:
    """(customer guid, account guid) of a new customer able to hold large deposits."""
    async def run() -> tuple[str, str]:
        asset = sandbox.manifest["asset"]
        async with _client(sandbox) as c:
            created = await c.create_customer(NewCustomer(
                asset_code=asset["code"], asset_issuer=asset["issuer"],
                login="till" + uuid.uuid4().hex[:10], name="Олена", surname="Мельник",
                branch_guid=branch_guid, kyc_level=2, balance_allowed=Decimal(10_000_000),
                status="active"))
            accounts = await c.get_customer_accounts(created.customer_guid)
            items = list(getattr(accounts, "accounts", accounts))
            return created.customer_guid, items[0].wallet_account_guid
    return _run(run())


def draft(sandbox: Any, branch_guid: str, account_guid: str, amount: str,
          kind: str = "deposit") -> str:
    """A CREATED cash draft (04 deposit / 02 withdrawal) between the branch and the account."""
    async def run() -> str:
        asset = sandbox.manifest["asset"]
        async with _client(sandbox) as c:
            processing = await find_processing_account(c, branch_guid)
            cats = {x.name: x.guid for x in await c.list_categories()}
            sender, receiver = ((processing, account_guid) if kind == "deposit"
                                else (account_guid, processing))
            return await c.create_payment(NewPayment(
                amount=Decimal(amount), asset_code=asset["code"], asset_issuer=asset["issuer"],
                category_guid=cats["04" if kind == "deposit" else "02"], purpose="till test",
                sender_id=sender, receiver_id=receiver), branch_guid=branch_guid)
    return _run(run())


def confirm(sandbox: Any, branch_guid: str, payment_guid: str) -> None:
    async def run() -> None:
        async with _client(sandbox) as c:
            await c.confirm_payment(payment_guid, branch_guid=branch_guid)
    _run(run())


def status(sandbox: Any, payment_guid: str) -> str:
    async def run() -> str:
        async with _client(sandbox) as c:
            return (await c.get_payment(payment_guid, False)).status_raw.upper()
    return _run(run())


def set_customer_status(sandbox: Any, customer_guid: str, value: str) -> None:
    """The customer's ``status`` changed on DCM (what the desk's form writes), read back."""
    async def run() -> None:
        async with _client(sandbox) as c:
            await c.update_customer(customer_guid, CustomerUpdate(status=value))
            assert (await c.get_customer(customer_guid)).status == value
    _run(run())
