"""Dialect ``target-balance-unchecked``: confirm ignores ``target_balance`` (§3.8 [D] says only
that it is "the account balance after the operation"; the check at confirm is §7 #11 [A],
"make the check switchable"). The default sandbox refuses a wrong one with 400 ``target
balance mismatch``; this one confirms it. The desk never sends the field, so its cash
operations are the same under both readings. Real sandbox over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import start_sandbox
from tests.platform.sandbox_helpers import new_customer, password_client
from tests.sandbox.sandbox_api import Api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    proc = start_sandbox(tmp_path_factory.mktemp("sb-target-balance"),
                         dialects=["target-balance-unchecked"])
    assert proc.manifest["dialects"] == ["target-balance-unchecked"]
    client = Api(proc)
    yield client
    client.http.close()
    proc.stop()


def test_a_wrong_target_balance_is_confirmed(api: Api) -> None:
    till = api.branch(0)["processing_account_guid"]
    customer = api.new_customer()["guid"]
    assert api.pay(till, customer, 100).status_code == 200
    before = api.balance(till)
    # the customer's balance after paying 10 is 90: 80 and 1 000 000 are both wrong
    for wrong in (80, 1_000_000):
        resp = api.pay(customer, till, 10, target_balance=wrong)
        assert resp.status_code == 200, resp.text
    assert api.balance(customer) == 80.0 and api.balance(till) == before + 20
    # stored and shown as sent
    draft = api.post("payments", json={"amount": 1, "asset_code": "UAH",
                                       "asset_issuer": api.m["asset"]["issuer"],
                                       "sender_id": customer, "receiver_id": till,
                                       "target_balance": 5}).json()["guid"]
    assert api.get(f"payments/{draft}").json()["target_balance"] == 5
    assert api.post("payments/confirm", json={"payment_guid": draft}).status_code == 200
    assert api.get(f"payments/{draft}").json()["status"] == "CONFIRMED"
    # what the sandbox still checks at confirm: the money itself
    short = api.pay(customer, till, 1000, target_balance=0)
    assert short.status_code == 400 and short.json()["error"] == "insufficient balance"
    assert api.conservation()["conserved"]


def test_the_desk_cash_desk_is_unchanged(api: Api) -> None:
    sb = api.sb

    async def scenario() -> tuple[str, Decimal]:
        async with password_client(sb) as client:
            branch = sb.manifest["branches"][0]
            created = await client.create_customer(new_customer(sb))
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            draft = await service.create(CashKind.DEPOSIT, created.customer_guid, "25.00")
            receipt = await service.confirm(draft.payment_guid)
            payment = await client.get_payment(draft.payment_guid)
            assert payment.target_balance is None  # the desk never sends one
            account = (await client.get_customer_accounts(created.customer_guid))[0]
            return receipt.status, account.assets[0].balance

    status, balance = asyncio.run(scenario())
    assert status == "CONFIRMED" and balance == Decimal("25.00")
