"""The cash day on the real sandbox: limits before submit, each refusal classified, a confirm
whose answer is lost (reconciled, never sent twice), and the account history's paging."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from test_approvals_helpers import SUPERVISOR, TELLER, client_for, employee, new_customer

from teller_app.core.cash import CashKind, CashService, ConfirmNotDone
from teller_app.core.cash_checks import (
    CashFacts,
    CustomerLimits,
    PeriodUsage,
    RefusalKind,
    ThresholdPolicy,
    classify_refusal,
    precheck,
)
from teller_app.core.csv_safe import csv_text
from teller_app.core.history import HistoryFilter, HistoryPager
from teller_app.platform import (
    AuthError,
    NewLimit,
    PasswordLogin,
    PlatformClient,
    ValidationError,
)


def _service(client: Any, sandbox: Any) -> CashService:
    branch = sandbox.manifest["branches"][0]
    return CashService(client, branch["guid"], branch["processing_account_guid"],
                       Decimal("10000.00"))


async def _funded(client: Any, sandbox: Any, amount: str = "1000.00") -> tuple[str, Any]:
    customer = await new_customer(client, sandbox)
    service = _service(client, sandbox)
    draft = await service.create(CashKind.DEPOSIT, customer, amount)
    await service.confirm(draft.payment_guid)
    account = (await client.get_customer_accounts(customer))[0]
    return customer, account


async def _limit(sup: Any, customer: str, account: Any, kind: str, **fields: Any) -> None:
    asset = account.assets[0]
    body = NewLimit(customer_guid=customer, account_type_guid=account.wallet_account_guid,
                    asset_code=asset.stellar_code, asset_issuer=asset.stellar_issuer, **fields)
    if kind == "operation":
        await sup.set_customer_payment_limit(body)
    else:
        await sup.set_customer_amount_limit(body)


def test_precheck_names_each_refusal() -> None:
    limits = CustomerLimits(Decimal("10"), Decimal("500"),
                            (PeriodUsage("day", 1, Decimal("1000"), Decimal("200")),))
    facts = CashFacts("withdrawal", Decimal("450"), False, Decimal(0), limits)
    assert precheck(facts, Decimal("100")) == []
    assert [r.kind for r in precheck(facts, Decimal("460"))] == [
        RefusalKind.INSUFFICIENT_BALANCE]
    assert [(r.period, r.bound) for r in precheck(facts, Decimal("10"))] == [
        ("operation", "min")]  # exclusive: exactly min is refused
    rich = CashFacts("withdrawal", Decimal("5000"), False, Decimal(0), limits)
    assert [(r.period, r.bound) for r in precheck(rich, Decimal("800"))] == [
        ("operation", "max"), ("day", "max")]  # 200 + 800 = the day's max: refused
    assert precheck(rich, Decimal("499.99")) == []
    deposit = CashFacts("deposit", Decimal("900"), True, Decimal("1000"))
    assert [r.kind for r in precheck(deposit, Decimal("100.01"))] == [
        RefusalKind.CUSTOMER_DISABLED, RefusalKind.BALANCE_ALLOWED]


def test_threshold_policy_is_the_profile_threshold() -> None:
    policy = ThresholdPolicy(Decimal("10000.00"))
    assert not policy.assess_now(Decimal("10000.00")).needed
    assert policy.assess_now(Decimal("10000.01")).needed
    assert not ThresholdPolicy(Decimal(1), True).assess_now(Decimal(5)).needed


def test_no_secret_is_a_refusal_not_an_expired_session() -> None:
    declined = AuthError("still not authorised after signing in again: bank auth service "
                         "declined: no key", status_code=401, reason="expired")
    refusal = classify_refusal(declined)
    assert refusal is not None and refusal.kind is RefusalKind.NO_SECRET
    assert classify_refusal(AuthError("Access credentials are invalid")) is None


def test_limits_are_read_and_each_platform_refusal_classified(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def refusal_of(service: CashService, kind: CashKind, customer: str,
                         amount: str) -> Any:
        try:
            draft = await service.create(kind, customer, amount)
            await service.confirm(draft.payment_guid)
        except ValidationError as exc:
            return classify_refusal(exc)
        raise AssertionError("the platform accepted it")

    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        sup = await client_for(sandbox, SUPERVISOR)
        try:
            service = _service(client, sandbox)
            customer, account = await _funded(client, sandbox)
            await _limit(sup, customer, account, "operation", min=Decimal("5"),
                         max=Decimal("300"))
            await _limit(sup, customer, account, "period", max=Decimal("400"), period="day")
            await _limit(sup, customer, account, "period", max=Decimal("900"),
                         period="custom", period_key=3)
            out = await service.create(CashKind.WITHDRAWAL, customer, "250.00")
            await service.confirm(out.payment_guid)

            context = await service.prepare(CashKind.WITHDRAWAL, customer)
            limits = context.facts.limits
            assert (limits.operation_min, limits.operation_max) == (Decimal(5), Decimal(300))
            assert [(u.period, u.max, u.spent) for u in limits.periods] == [
                ("day", Decimal(400), Decimal(250)), ("custom", Decimal(900), Decimal(250))]
            assert context.facts.balance == Decimal("750.00")
            predicted = [(r.period, r.bound) for r in precheck(context.facts, Decimal(300))]
            assert predicted == [("operation", "max"), ("day", "max")]

            # The platform refuses the same, and each refusal is told apart.
            for amount, period in (("5.00", "operation"), ("300.00", "operation"),
                                   ("150.00", "day")):
                refusal = await refusal_of(service, CashKind.WITHDRAWAL, customer, amount)
                assert (refusal.kind, refusal.period) == (RefusalKind.LIMIT, period)
            refusal = await refusal_of(service, CashKind.WITHDRAWAL, customer, "800.00")
            assert refusal.kind is RefusalKind.INSUFFICIENT_BALANCE

            # A route the platform does not allow: the account to itself.
            own = CashService(client, service.branch_guid or "", account.wallet_account_guid,
                              Decimal("10000.00"))
            refusal = await refusal_of(own, CashKind.DEPOSIT, customer, "1.00")
            assert refusal.kind is RefusalKind.ROUTE_NOT_ALLOWED

            # A disabled customer (a supervisor's change).
            from teller_app.platform.models import CustomerUpdate

            await sup.update_customer(customer, CustomerUpdate(is_disabled=True))
            assert (await service.prepare(CashKind.DEPOSIT, customer)).facts.customer_disabled
            refusal = await refusal_of(service, CashKind.DEPOSIT, customer, "1.00")
            assert refusal.kind is RefusalKind.CUSTOMER_DISABLED
        finally:
            await client.aclose()
            await sup.aclose()

    asyncio.run(scenario())


class LoseConfirmAnswer(httpx.AsyncBaseTransport):
    """The real transport, but the answer to a confirm is lost after the sandbox did it."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.confirms = 0
        self.lose = True
        self.forward = True  # False: the confirm never reaches the sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        confirm = request.method == "POST" and request.url.path.endswith("/payments/confirm")
        if confirm and not self.forward:
            raise httpx.ReadTimeout("read timed out", request=request)
        response = await self.inner.handle_async_request(request)
        if confirm:
            self.confirms += 1
            if self.lose:
                await response.aread()
                raise httpx.ReadTimeout("read timed out", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_confirm_whose_answer_is_lost_is_read_back_never_sent_twice(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        transport = LoseConfirmAnswer()
        emp = employee(sandbox, TELLER)
        lossy = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                               auth=PasswordLogin(TELLER, emp["password"]), transport=transport)
        client = await client_for(sandbox, TELLER)
        try:
            await lossy.login()
            customer = await new_customer(client, sandbox)
            service = _service(lossy, sandbox)
            draft = await service.create(CashKind.DEPOSIT, customer, "77.70")
            receipt = await service.confirm(draft.payment_guid)
            assert receipt.reconciled and receipt.status == "CONFIRMED"
            assert len(receipt.stellar_hash) == 64 and transport.confirms == 1
            balance = (await client.get_customer_accounts(customer))[0].assets[0]
            assert balance.balance == Decimal("77.70")  # once, not twice

            # A second press on the same draft: "not CREATED" is read back as done.
            transport.lose = False
            again = await service.confirm(draft.payment_guid)
            assert again.reconciled and again.payment_guid == draft.payment_guid
            balance = (await client.get_customer_accounts(customer))[0].assets[0]
            assert balance.balance == Decimal("77.70")

            # A lost confirm that never arrived: CREATED is reported as not done, and the
            # teller's next press confirms it (once).
            other = await service.create(CashKind.DEPOSIT, customer, "2.30")
            transport.forward = False
            with pytest.raises(ConfirmNotDone):
                await service.confirm(other.payment_guid)
            transport.forward = True
            done = await service.confirm(other.payment_guid)
            assert not done.reconciled and transport.confirms == 3
            balance = (await client.get_customer_accounts(customer))[0].assets[0]
            assert balance.balance == Decimal("80.00")
        finally:
            await lossy.aclose()
            await client.aclose()

    asyncio.run(scenario())


def test_history_pages_merge_both_sides_newest_first(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            service = _service(client, sandbox)
            customer, account = await _funded(client, sandbox, "500.00")
            for n in range(6):
                kind = CashKind.WITHDRAWAL if n % 2 else CashKind.DEPOSIT
                draft = await service.create(kind, customer, f"{n + 1}.00")
                if n < 5:
                    await service.confirm(draft.payment_guid)
            branch = service.branch_guid
            pager = HistoryPager(client, account.wallet_account_guid, branch_guid=branch,
                                 page_size=3)
            pages = [await pager.next_page()]
            while not pager.at_end:
                pages.append(await pager.next_page())
            rows = [r for page in pages for r in page]
            assert [len(p) for p in pages][:2] == [3, 3] and len(rows) == 7 == pager.total
            stamps = [r.created_at for r in rows]
            assert stamps == sorted(stamps, reverse=True)
            assert [r.signed_amount for r in rows[:3]] == [
                Decimal("-6.00"), Decimal("5.00"), Decimal("-4.00")]
            assert len({r.payment.guid for r in rows}) == 7

            drafts = HistoryPager(client, account.wallet_account_guid,
                                  HistoryFilter(status="CREATED"), branch_guid=branch)
            assert [r.payment.amount for r in await drafts.next_page()] == [Decimal("6.00")]
            text = csv_text(["a", "b"], [["=1+1", "-5"]])
            assert text.splitlines()[1] == "'=1+1,-5"  # a plain number stays a number
        finally:
            await client.aclose()

    asyncio.run(scenario())


def test_a_policy_object_decides_who_confirms(sandbox) -> None:  # type: ignore[no-untyped-def]
    """The hub plugs in through ``CashPolicy``: here a stand-in that asks for a supervisor on
    any withdrawal, whatever the amount (a cumulative limit would look the same)."""
    from teller_app.core.cash_checks import NeedReason, PolicyRequest, SupervisorNeed

    class HubLike:
        def __init__(self) -> None:
            self.seen: list[PolicyRequest] = []

        async def assess(self, request: PolicyRequest) -> SupervisorNeed:
            self.seen.append(request)
            needed = request.kind == "withdrawal"
            return SupervisorNeed(needed, NeedReason.HUB_POLICY if needed else NeedReason.NONE,
                                  detail="daily cash limit of this teller")

    async def scenario() -> None:
        client = await client_for(sandbox, TELLER)
        try:
            branch = sandbox.manifest["branches"][0]
            policy = HubLike()
            service = CashService(client, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"), policy=policy)
            customer = await new_customer(client, sandbox)
            deposit = await service.create(CashKind.DEPOSIT, customer, "20.00")
            await service.confirm(deposit.payment_guid)
            withdrawal = await service.create(CashKind.WITHDRAWAL, customer, "1.00")
            assert not deposit.needs_supervisor and withdrawal.needs_supervisor
            context = await service.prepare(CashKind.WITHDRAWAL, customer)
            need = await service.assess(context, Decimal("1.00"))
            assert need.needed and need.detail == "daily cash limit of this teller"
            assert policy.seen[-1].customer_guid == customer
            assert policy.seen[-1].account_guid == withdrawal.customer_account_guid
        finally:
            await client.aclose()

    asyncio.run(scenario())
