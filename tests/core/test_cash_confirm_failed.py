"""A refused cash confirm on a platform that fails the payment (§5.2 [A] FAILED, §7 #9; the
sandbox's ``confirm-failed-status`` dialect): the desk reads it back and reports it refused
and final (``ConfirmFailed``, with the platform's refusal), never "still a draft, confirm
again". The default reading (CREATED) keeps the plain refusal. Real sandboxes over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from teller_app.core.cash import CashKind, CashService, ConfirmFailed
from teller_app.core.cash_checks import RefusalKind, classify_refusal
from teller_app.core.cash_settle import recheck
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import PlatformClient, ValidationError
from tests.platform.sandbox_helpers import new_customer, password_client


@pytest.fixture(scope="module")
def failing_sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path_factory.mktemp("sb-cash-failed"),
                         dialects=["confirm-failed-status"])
    yield proc
    proc.stop()


async def _refused_withdrawal(sb: SandboxProcess) -> tuple[PlatformClient, CashService, str]:
    """A withdrawal draft of 60 whose confirm the platform refuses (the balance went to a
    first one)."""
    client = password_client(sb)
    branch = sb.manifest["branches"][0]
    created = await client.create_customer(new_customer(sb))
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    deposit = await service.create(CashKind.DEPOSIT, created.customer_guid, "100.00")
    await service.confirm(deposit.payment_guid)
    first = await service.create(CashKind.WITHDRAWAL, created.customer_guid, "60.00")
    second = await service.create(CashKind.WITHDRAWAL, created.customer_guid, "60.00")
    await service.confirm(first.payment_guid)
    return client, service, second.payment_guid


def test_a_refused_confirm_that_fails_the_payment_is_final(failing_sb: SandboxProcess) -> None:
    async def scenario() -> tuple[ConfirmFailed, ConfirmFailed, ConfirmFailed]:
        client, service, guid = await _refused_withdrawal(failing_sb)
        async with client:
            with pytest.raises(ConfirmFailed) as refused:
                await service.confirm(guid)
            with pytest.raises(ConfirmFailed) as again:  # a second press: the same answer
                await service.confirm(guid)
            with pytest.raises(ConfirmFailed) as read:  # a re-check reads it final too
                await recheck(service, guid, (0.0,))
            return refused.value, again.value, read.value

    refused, again, read = asyncio.run(scenario())
    assert isinstance(refused.cause, ValidationError)
    found = classify_refusal(refused.cause)
    assert found is not None and found.kind is RefusalKind.INSUFFICIENT_BALANCE
    assert refused.reason == "payment_failed"
    assert classify_refusal(again.cause) is not None  # "not in CREATED status", read back
    assert read.cause is None


def test_the_default_platform_keeps_the_plain_refusal(sandbox: SandboxProcess) -> None:
    async def scenario() -> BaseException:
        client, service, guid = await _refused_withdrawal(sandbox)
        async with client:
            try:
                await service.confirm(guid)
            except Exception as exc:  # the answer is what is checked
                return exc
            raise AssertionError("confirmed")

    exc = asyncio.run(scenario())
    assert isinstance(exc, ValidationError) and not isinstance(exc, ConfirmFailed)
