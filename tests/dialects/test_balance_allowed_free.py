"""Dialect ``balance-allowed-free``: ``balance_allowed`` has no effect on payments (§1.4 [D]
"no semantics are documented"; "inbound payments that would exceed it fail" is §7 #12 [A]).
A deposit past the cap is confirmed; the desk only warned about it (it never blocked it).
Real sandbox over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from teller_app.core.cash import CashKind, CashService
from teller_app.core.cash_checks import RefusalKind, blocking, precheck
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from tests.platform.sandbox_helpers import new_customer, password_client


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path_factory.mktemp("ba-free") / "data",
                         dialects=["balance-allowed-free"])
    assert proc.manifest["dialects"] == ["balance-allowed-free"]
    yield proc
    proc.stop()


def test_a_deposit_past_balance_allowed_is_confirmed(sb: SandboxProcess) -> None:
    async def scenario() -> tuple[list[RefusalKind], list[bool], str, Decimal]:
        async with password_client(sb) as client:
            branch = sb.manifest["branches"][0]
            created = await client.create_customer(
                new_customer(sb, balance_allowed=Decimal("50.00")))
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            context = await service.prepare(CashKind.DEPOSIT, created.customer_guid)
            found = precheck(context.facts, Decimal("100.00"))
            draft = await service.create(CashKind.DEPOSIT, created.customer_guid, "100.00")
            receipt = await service.confirm(draft.payment_guid)
            account = (await client.get_customer_accounts(created.customer_guid))[0]
            return ([r.kind for r in found], [blocking(r) for r in found], receipt.status,
                    account.assets[0].balance)

    kinds, blocks, status, balance = asyncio.run(scenario())
    assert kinds == [RefusalKind.BALANCE_ALLOWED] and blocks == [False]  # a warning only
    assert status == "CONFIRMED" and balance == Decimal("100.00")
