"""Cash desk: deposit/withdrawal drafts, the confirm threshold, supervisor confirm, receipts."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from test_approvals_helpers import (
    SUPERVISOR,
    TELLER,
    client_for,
    employee,
    new_customer,
    profile_for,
)

from teller_app.core.cash import (
    AmountError,
    CashKind,
    CashService,
    confirm_with_credentials,
    find_processing_account,
    needs_supervisor,
    parse_cash_amount,
)
from teller_app.platform.payment_filters import PaymentFilters


@pytest.mark.parametrize("text", ["0", "-1", "1.001", "abc", "NaN", "1e-5"])
def test_amounts_refuse_sign_and_extra_precision(text: str) -> None:
    with pytest.raises(AmountError):
        parse_cash_amount(text, 2)


def test_amount_parsing_and_threshold() -> None:
    assert parse_cash_amount("1 234,50", 2) == Decimal("1234.50")
    assert parse_cash_amount("10", 0) == Decimal("10")
    assert not needs_supervisor(Decimal("10000.00"), Decimal("10000.00"), False)
    assert needs_supervisor(Decimal("10000.01"), Decimal("10000.00"), False)
    assert not needs_supervisor(Decimal("99999"), Decimal("10000.00"), True)


def test_deposit_under_threshold_teller_confirms(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            processing = await find_processing_account(client, branch["guid"])
            assert processing == branch["processing_account_guid"]
            service = CashService(client, branch["guid"], processing, Decimal("10000.00"))
            customer = await new_customer(client, sandbox)
            before = (await client.get_customer_accounts(customer))[0].assets[0].balance
            draft = await service.create(CashKind.DEPOSIT, customer, "150.25", "cash in")
            assert not draft.needs_supervisor
            receipt = await service.confirm(draft.payment_guid)
            assert receipt.status == "CONFIRMED" and len(receipt.stellar_hash) == 64
            assert receipt.kind is CashKind.DEPOSIT
            after = (await client.get_customer_accounts(customer))[0].assets[0].balance
            assert after - before == Decimal("150.25")

            out = await service.create(CashKind.WITHDRAWAL, customer, Decimal("50.25"))
            assert (await service.confirm(out.payment_guid)).kind is CashKind.WITHDRAWAL
            final = (await client.get_customer_accounts(customer))[0].assets[0].balance
            assert final - after == Decimal("-50.25")
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_deposit_over_threshold_needs_a_supervisor(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        sup = await client_for(sandbox, SUPERVISOR)
        try:
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            customer = await new_customer(client, sandbox)
            draft = await service.create(CashKind.DEPOSIT, customer, "12000.00")
            # The desk (the bank's policy) asks for a supervisor; the platform has no
            # per-amount permission (§3.3: verb x scope), so the desk never sends it.
            assert draft.needs_supervisor
            # The supervisor's inbox finds the draft...
            sup_service = CashService(sup, branch["guid"], "", Decimal(0), True)
            assert draft.payment_guid in {p.guid for p in await sup_service.pending_drafts()}
            # ...and a supervisor confirms in place with their own credentials.
            password = employee(sandbox, SUPERVISOR)["password"]
            receipt = await confirm_with_credentials(profile_for(sandbox), SUPERVISOR, password,
                                                     draft.payment_guid, branch["guid"])
            assert receipt.status == "CONFIRMED" and receipt.stellar_hash
            assert receipt.confirmed_by == employee(sandbox, SUPERVISOR)["guid"]
            assert draft.payment_guid not in {p.guid for p in await sup_service.pending_drafts()}
        finally:
            await client.aclose()
            await sup.aclose()

    asyncio.run(scenario())


class _LostAnswers:
    """The real client, but create_payment's answer is lost (the POST lands, then Timeout),
    and while ``down`` even the look-up fails."""

    def __init__(self, client, post_lands: bool = True) -> None:  # type: ignore[no-untyped-def]
        self._client = client
        self.post_lands = post_lands
        self.down = False
        self.posts = 0

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._client, name)

    async def create_payment(self, payment, branch_guid=None):  # type: ignore[no-untyped-def]
        from teller_app.platform import Timeout

        self.posts += 1
        if self.post_lands:
            await self._client.create_payment(payment, branch_guid=branch_guid)
        raise Timeout("read timed out", method="POST", path="/payments")

    async def list_payments(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from teller_app.platform import Unavailable

        if self.down:
            raise Unavailable("connection refused")
        return await self._client.list_payments(*args, **kwargs)


def test_a_timed_out_create_is_reconciled_never_duplicated(sandbox) -> None:  # type: ignore[no-untyped-def]
    from teller_app.core.cash import new_cash_nonce
    from teller_app.platform import Timeout

    async def drafts_with(client, service, nonce: str) -> list:  # type: ignore[no-untyped-def]
        page = await client.list_payments(PaymentFilters(statuses=["CREATED"]), limit=1000,
                                          branch_guid=service.branch_guid)
        return [p for p in page.payments if f"[ref:{nonce}]" in p.purpose]

    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            processing = await find_processing_account(client, branch["guid"])
            customer = await new_customer(client, sandbox)
            lossy = _LostAnswers(client)
            service = CashService(lossy, branch["guid"], processing, Decimal("10000.00"))

            # The answer is lost but the draft exists: it is found, not reported as failed.
            nonce = new_cash_nonce()
            draft = await service.create(CashKind.DEPOSIT, customer, "10.00", "cash in",
                                         nonce=nonce)
            found = await drafts_with(client, service, nonce)
            assert [p.guid for p in found] == [draft.payment_guid]
            assert found[0].purpose == f"cash in [ref:{nonce}]"

            # The look-up fails too: unknown. The retry with the same nonce finds the draft
            # instead of posting a second one.
            nonce = new_cash_nonce()
            lossy.down = True
            with pytest.raises(Timeout):
                await service.create(CashKind.DEPOSIT, customer, "11.00", nonce=nonce)
            lossy.down = False
            posts = lossy.posts
            again = await service.create(CashKind.DEPOSIT, customer, "11.00", nonce=nonce,
                                         retry=True)
            assert lossy.posts == posts  # no second POST
            found = await drafts_with(client, service, nonce)
            assert [p.guid for p in found] == [again.payment_guid]

            # Nothing landed: the retry does create it (once).
            nonce = new_cash_nonce()
            lossy.post_lands = False
            with pytest.raises(Timeout):
                await service.create(CashKind.DEPOSIT, customer, "12.00", nonce=nonce)
            again = await CashService(client, branch["guid"], processing,
                                      Decimal("10000.00")).create(
                CashKind.DEPOSIT, customer, "12.00", nonce=nonce, retry=True)
            assert [p.guid for p in await drafts_with(client, service, nonce)] == [
                again.payment_guid]
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_a_teller_cannot_confirm_in_place_and_is_told_why(sandbox) -> None:  # type: ignore[no-untyped-def]
    """The in-place confirm with a teller's own credentials is refused before anything is
    sent, with a reason code the desk words (not the English message)."""
    from teller_app.core.cash import CashError

    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            draft = await service.create(CashKind.DEPOSIT, await new_customer(client, sandbox),
                                         "12500.00")
            with pytest.raises(CashError) as refused:
                await confirm_with_credentials(profile_for(sandbox), TELLER,
                                               employee(sandbox, TELLER)["password"],
                                               draft.payment_guid, branch["guid"])
            assert refused.value.reason == "not_a_checker"
            payment = await client.get_payment(draft.payment_guid)
            assert payment.status_raw == "CREATED"  # nothing was confirmed
            password = employee(sandbox, SUPERVISOR)["password"]  # leave no draft pending
            await confirm_with_credentials(profile_for(sandbox), SUPERVISOR, password,
                                           draft.payment_guid, branch["guid"])
        finally:
            await client.aclose()

    asyncio.run(scenario())
