"""What the teller knows before a cash operation is sent: the customer's limits, the balance
after it, whether a supervisor is needed, and why the platform would refuse it.

Limits (§3.10) restrict a customer's *outgoing* payments, so they bind withdrawals. Both
limit bounds are exclusive: an operation passes iff ``min < amount < max``, a period limit iff
``spent_in_window + amount < max``. An individual limit replaces the segment's standard one for
the same kind and period. A deposit past the customer's ``balance_allowed`` is only a warning
(``ADVISORY``): the docs give that field no semantics (§1.4; "inbound payments fail" is an
assumption, §7 #12), so the teller is warned and the platform decides.

The supervisor decision is a ``CashPolicy``: today the profile's threshold
(``ThresholdPolicy``); the hub implements the same protocol with tills and cumulative limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from teller_app.core.concurrent_reads import read_both
from teller_app.platform.errors import AuthError, PlatformError, ValidationError
from teller_app.platform.models import AmountLimit, Payment, PaymentLimit
from teller_app.platform.payment_filters import PaymentFilters

if TYPE_CHECKING:
    from teller_app.platform import PlatformClient

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
# The payments a limits read asks for per call: the largest ``limit`` the platform takes (as the
# sync's and the history export's pages). A year of a busy customer's withdrawals (30 000) is
# 30 calls, not 150 at the client's default 200.
LIMITS_PAGE = 1000


# -- the supervisor policy -----------------------------------------------------------------
class NeedReason(StrEnum):
    NONE = "none"
    OVER_THRESHOLD = "over_threshold"  # the profile's per-operation threshold
    HUB_POLICY = "hub_policy"  # the hub's rule (cumulative limit, till ...): see ``detail``


@dataclass(frozen=True)
class PolicyRequest:
    kind: str  # "deposit" | "withdrawal"
    amount: Decimal
    asset_code: str
    customer_guid: str
    account_guid: str
    payment_guid: str = ""  # set once the draft exists (the hub then reads it on DCM)


@dataclass(frozen=True)
class SupervisorNeed:
    needed: bool
    reason: NeedReason = NeedReason.NONE
    threshold: Decimal | None = None
    detail: str = ""  # the hub's own words, shown after a translated lead-in


class CashPolicy(Protocol):
    """Decides whether a supervisor must confirm. Async: the hub answers over HTTP."""

    async def assess(self, request: PolicyRequest) -> SupervisorNeed: ...


class CashGate(Protocol):
    """The hub's side of a draft's life (``core/till_cash.py``): asked right before a confirm
    (voided? limits?), told after it (the till moves), and it records voids."""

    async def before_confirm(self, payment_guid: str) -> SupervisorNeed: ...

    async def confirmed(self, payment_guid: str) -> None: ...

    async def voided(self, payment_guids: Sequence[str]) -> set[str]: ...

    async def void(self, payment_guid: str, reason: str) -> None: ...


@dataclass(frozen=True)
class ThresholdPolicy:
    """Above the profile's ``cash_confirm_threshold`` a supervisor confirms, unless the
    employee may confirm any amount."""

    threshold: Decimal
    can_confirm_any_amount: bool = False

    async def assess(self, request: PolicyRequest) -> SupervisorNeed:
        return self.assess_now(request.amount)

    def assess_now(self, amount: Decimal) -> SupervisorNeed:
        if self.can_confirm_any_amount or amount <= self.threshold:
            return SupervisorNeed(False, NeedReason.NONE, self.threshold)
        return SupervisorNeed(True, NeedReason.OVER_THRESHOLD, self.threshold)


# -- limits ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodUsage:
    period: str  # day | week | month | year | custom
    days: int
    max: Decimal
    spent: Decimal

    @property
    def left(self) -> Decimal:
        """The most a next operation could be is just under this (exclusive bound)."""
        return max(Decimal(0), self.max - self.spent)


@dataclass(frozen=True)
class CustomerLimits:
    operation_min: Decimal | None = None
    operation_max: Decimal | None = None
    periods: tuple[PeriodUsage, ...] = ()
    from_segment: bool = False  # True when a segment's standard limit applies

    @property
    def empty(self) -> bool:
        return self.operation_min is None and self.operation_max is None and not self.periods


def _matches(asset: str, stellar: str, code: str) -> bool:
    return not code or code in (asset, stellar)


def effective_limits(
    customer_ops: Sequence[PaymentLimit],
    customer_periods: Sequence[AmountLimit],
    segment_ops: Sequence[PaymentLimit],
    segment_periods: Sequence[AmountLimit],
    asset_code: str,
    stellar_code: str,
) -> tuple[Decimal | None, Decimal | None, dict[str, tuple[Decimal, int]], bool]:
    """(op min, op max, {period: (max, days)}, any from segment): individual over segment."""
    op_min: Decimal | None = None
    op_max: Decimal | None = None
    from_segment = False
    ops = [x for x in customer_ops if _matches(asset_code, stellar_code, x.asset_code)]
    if not ops:
        ops = [x for x in segment_ops if _matches(asset_code, stellar_code, x.asset_code)]
        from_segment = bool(ops)
    for item in ops:
        op_min = item.min if item.min else None  # 0 / absent: no lower bound
        op_max = item.max if item.max else None
    periods: dict[str, tuple[Decimal, int]] = {}
    for source, is_segment in ((segment_periods, True), (customer_periods, False)):
        for column in source:
            if not _matches(asset_code, stellar_code, column.asset_code):
                continue
            for period, limit in column.period.items():
                days = limit.period_key if period == "custom" else PERIOD_DAYS.get(period, 0)
                if days > 0 and limit.max > 0:
                    periods[period] = (limit.max, days)
                    from_segment = from_segment or is_segment
    return op_min, op_max, periods, from_segment


def spent_since(payments: Iterable[Payment], since: datetime,
                senders: Iterable[str] | None = None,
                assets: Iterable[str] | None = None) -> Decimal:
    """Sum of confirmed payments whose last change (the confirm) is after ``since`` (and, with
    ``senders``, sent from one of those accounts; with ``assets``, in one of those asset
    codes when the row names its asset). Checked on each row: a server may not know a list
    filter's name and ignore it (the payments list's names are unsure in the docs), and an
    account may hold more than one asset."""
    accounts = None if senders is None else {a.lower() for a in senders}
    codes = None if assets is None else {a.upper() for a in assets if a}
    total = Decimal(0)
    for p in payments:
        stamp = p.updated_at or p.created_at
        if accounts is not None and p.sender_id.lower() not in accounts:
            continue
        if codes and p.asset_code and p.asset_code.upper() not in codes:
            continue
        if p.status_raw.upper() == "CONFIRMED" and stamp is not None and stamp > since:
            total += p.amount
    return total


async def _segment_limits(
    client: PlatformClient, segment: str,
) -> tuple[list[PaymentLimit], list[AmountLimit]]:
    """The segment's standard limits (none without a segment)."""
    if not segment:
        return [], []
    return await read_both(client.get_segment_payment_limits(segment),
                           client.get_segment_amount_limits(segment))


async def _outgoing(client: PlatformClient, filters: PaymentFilters) -> list[Payment]:
    """The payments meeting ``filters``, read page after page, each once: a payment the list
    shows twice (rows that shifted while it was paged, a new one landing before an offset) is
    counted once (by GUID). Sequential on purpose: the list orders by creation, not by the
    confirm the filter reads, so a payment confirmed meanwhile may land mid-list; pages read in
    order can then only repeat a row (dropped here), pages read out of order could skip one."""
    seen: set[str] = set()
    out: list[Payment] = []
    async for payment in client.iter_payments(filters, page_size=LIMITS_PAGE):
        key = payment.guid.lower()
        if key and key in seen:
            continue
        seen.add(key)
        out.append(payment)
    return out


async def read_limits(
    client: PlatformClient,
    customer_guid: str,
    segment: str,
    account_guids: Sequence[str],
    asset_code: str,
    stellar_code: str,
    now: datetime | None = None,
) -> CustomerLimits:
    """The customer's effective limits for the asset and what the rolling windows already
    hold (their confirmed outgoing payments, read from the payments list)."""
    # The four lists travel at once (one round trip, not four, on a slow branch link); the
    # outcome is the sequential one: the first failure in this order, no read left running.
    (customer_ops, customer_periods), (segment_ops, segment_periods) = await read_both(
        read_both(client.get_customer_payment_limits(customer_guid),
                  client.get_customer_amount_limits(customer_guid)),
        _segment_limits(client, segment))
    op_min, op_max, periods, from_segment = effective_limits(
        customer_ops, customer_periods, segment_ops, segment_periods, asset_code, stellar_code)
    usages: list[PeriodUsage] = []
    if periods and account_guids:
        now = now or datetime.now(UTC)
        longest = max(days for _max, days in periods.values())
        since = now - timedelta(days=longest)
        outgoing = await _outgoing(client, PaymentFilters(
            sender_ids=list(account_guids), statuses=["CONFIRMED"], updated_at_min=since))
        for period, (limit, days) in sorted(periods.items(), key=lambda kv: kv[1][1]):
            spent = spent_since(outgoing, now - timedelta(days=days), account_guids,
                                (asset_code, stellar_code))
            usages.append(PeriodUsage(period, days, limit, spent))
    return CustomerLimits(op_min, op_max, tuple(usages), from_segment)


# -- refusals -------------------------------------------------------------------------------
class RefusalKind(StrEnum):
    INSUFFICIENT_BALANCE = "insufficient_balance"
    LIMIT = "limit"  # ``period`` says which: operation | day | week | month | year | custom
    BALANCE_ALLOWED = "balance_allowed"  # a deposit would pass the customer's balance cap
    CUSTOMER_DISABLED = "customer_disabled"
    ROUTE_NOT_ALLOWED = "route_not_allowed"
    NO_SECRET = "no_secret"  # the bank's auth service has no key for the payer (401)
    NOT_CREATED = "not_created"  # the draft is no longer CREATED
    HUB = "hub"  # the hub refused (``period`` holds its reason code: voided, daily limit …)
    OTHER = "other"


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    period: str = ""
    bound: str = ""  # "min" | "max" for an operation limit, when known
    limit: Decimal | None = None
    message: str = ""  # the platform's words, when it said something


class CashRefused(Exception):
    """The platform refused for a reason that is no session problem (e.g. no signing secret
    for the payer: a 401 from confirm that signing in again does not cure)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message or refusal.kind.value)
        self.refusal = refusal


@dataclass(frozen=True)
class CashFacts:
    """What a pre-check needs about the customer's side of the operation."""

    kind: str
    balance: Decimal
    customer_disabled: bool = False
    balance_allowed: Decimal = Decimal(0)  # 0 = no cap
    limits: CustomerLimits = field(default_factory=CustomerLimits)


def balance_after(facts: CashFacts, amount: Decimal) -> Decimal:
    return facts.balance + amount if facts.kind == "deposit" else facts.balance - amount


def precheck(facts: CashFacts, amount: Decimal) -> list[Refusal]:
    """Every reason the platform would refuse this operation, as far as can be known here,
    and those it *may* refuse for (``blocking`` tells them apart)."""
    out: list[Refusal] = []
    if facts.customer_disabled:
        out.append(Refusal(RefusalKind.CUSTOMER_DISABLED))
    if facts.kind == "deposit":
        cap = facts.balance_allowed
        if cap > 0 and facts.balance + amount > cap:
            out.append(Refusal(RefusalKind.BALANCE_ALLOWED, limit=cap))
        return out
    if amount > facts.balance:
        out.append(Refusal(RefusalKind.INSUFFICIENT_BALANCE))
    lim = facts.limits
    if lim.operation_min is not None and not amount > lim.operation_min:
        out.append(Refusal(RefusalKind.LIMIT, "operation", "min", lim.operation_min))
    if lim.operation_max is not None and not amount < lim.operation_max:
        out.append(Refusal(RefusalKind.LIMIT, "operation", "max", lim.operation_max))
    for usage in lim.periods:
        if not usage.spent + amount < usage.max:
            out.append(Refusal(RefusalKind.LIMIT, usage.period, "max", usage.max))
    return out


# What a server may or may not refuse for (the docs leave it open): the teller is warned and
# may go on; a refusal, if it comes, is shown like any other. ``balance_allowed``: §1.4 [D] "no
# semantics are documented"; "inbound payments that would exceed it fail" is §7 #12 [A].
ADVISORY = frozenset({RefusalKind.BALANCE_ALLOWED})


def blocking(refusal: Refusal) -> bool:
    """Whether a pre-check's refusal stops the operation before it is sent."""
    return refusal.kind not in ADVISORY


_TEXTS = (
    ("insufficient balance", RefusalKind.INSUFFICIENT_BALANCE),
    ("balance allowed exceeded", RefusalKind.BALANCE_ALLOWED),
    ("customer is disabled", RefusalKind.CUSTOMER_DISABLED),
    ("transfer route is not allowed", RefusalKind.ROUTE_NOT_ALLOWED),
    ("not in created status", RefusalKind.NOT_CREATED),
)
_NO_SECRET = ("bank auth service declined", "bank authorization failed")


def classify_refusal(exc: BaseException) -> Refusal | None:
    """The platform's refusal of a create/confirm as a ``Refusal``; None when it is not one
    (connectivity, permissions, a real session expiry)."""
    if isinstance(exc, CashRefused):
        return exc.refusal
    if not isinstance(exc, PlatformError):
        return None
    text = (exc.message or "").lower()
    if isinstance(exc, AuthError):
        if any(marker in text for marker in _NO_SECRET) or exc.reason == "bank_auth":
            return Refusal(RefusalKind.NO_SECRET, message=exc.message)
        return None
    if not isinstance(exc, ValidationError):
        return None
    if "limit exceeded" in text:
        period = text.rsplit(":", 1)[-1].strip() if ":" in text else ""
        return Refusal(RefusalKind.LIMIT, period=period, message=exc.message)
    for marker, kind in _TEXTS:
        if marker in text:
            return Refusal(kind, message=exc.message)
    return Refusal(RefusalKind.OTHER, message=exc.message)


def no_longer_draft(refusal: Refusal) -> bool:
    """The platform's or the hub's "the payment is not CREATED any more"."""
    return refusal.kind is RefusalKind.NOT_CREATED or (
        refusal.kind is RefusalKind.HUB and refusal.period == "not_created")


# The hub's refusal for the customer's status (blocked, closed: the bank policy's
# ``sensitive_statuses``). The platform ignores a status; the hub stops cash, in and out.
HUB_CUSTOMER_BLOCKED = "customer_blocked"


def customer_blocked(refusal: Refusal) -> bool:
    """The hub's "this customer gets no cash": a fact about the customer, shown where a
    disabled customer's refusal is, never the desk's own decision."""
    return refusal.kind is RefusalKind.HUB and refusal.period == HUB_CUSTOMER_BLOCKED
