"""Cumulative cash limits, enforced before a confirm (issue 15 item 6).

``authorize(payment_guid)``: the hub reads the draft on DCM with its own account — never the
desk's amount — and answers allow / needs_approval / refuse:

* 422 ``cash_amount_step``: an amount no till can count (not a whole multiple of its
  smallest coin, 0.10: ``till_money.check_cash_step``), nothing recorded;
* refuse: voided, not a CREATED cash draft, the customer is outside the teller's branch, the
  customer's status is one the policy treats as blocked (``cash_customer``: in or out), the
  teller has no open till, a withdrawal larger than the till can pay (what it holds less the
  withdrawals authorized and transfers to the vault not yet settled: ``till_holding``), or the
  teller's day total would pass ``teller_daily_limit``;
* needs_approval: the amount is over the four-eyes ``cash_threshold``, or the threshold is
  being split — the teller's unsupervised total today (any customers, any branches) would pass
  ``teller_unapproved_daily``, or the customer's total today (any tellers) would pass
  ``customer_daily_threshold``.

The first teller to authorize a draft owns it (voids, till). Per teller, the check and the
record are one transaction serialised on the teller's till row.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.platform import NotFound, PlatformClient, PlatformError, ValidationError
from teller_app.platform.models import Customer, Payment, PaymentStatus

from . import policy
from .cash_customer import CUSTOMER_BLOCKED, REFUSAL, audit_refusal, read_customer, stops_cash
from .db import now
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .events import named_lock_key, pg_lock
from .models import HubEmployee
from .till_bodies import StrictMoney
from .till_holding import available_minor, neither_voided_nor_failed
from .till_money import cash_day, check_cash_step, money, to_minor
from .till_tables import cash_authorizations, cash_limits, cash_voids, tills

CASH_KINDS = {"04": "deposit", "02": "withdrawal"}
_categories: dict[str, str] = {}  # category guid → code, per process


class CashLimits(BaseModel):
    """Amounts in kopiyky, as decimal strings: more decimal places are refused (422), never
    rounded, and so is a JSON number (parsed as a float before any check: ``StrictMoney``).
    Stored as strings too (``public``)."""

    model_config = ConfigDict(extra="forbid")

    teller_daily_limit: StrictMoney = Field(default=Decimal("500000.00"), ge=0, max_digits=18,
                                            decimal_places=2)
    teller_unapproved_daily: StrictMoney = Field(default=Decimal("20000.00"), ge=0,
                                                 max_digits=18, decimal_places=2)
    customer_daily_threshold: StrictMoney = Field(default=Decimal("10000.00"), ge=0,  # 0 = off
                                                  max_digits=18, decimal_places=2)
    # The over/short a teller may close with alone (with a reason); past it a supervisor
    # co-signs the close. 0: every difference is co-signed.
    close_tolerance: StrictMoney = Field(default=Decimal("0.00"), ge=0, max_digits=18,
                                         decimal_places=2)

    def public(self) -> dict[str, str]:
        return {k: money(to_minor(v)) for k, v in self.model_dump().items()}  # exact


async def load_limits(engine: AsyncEngine) -> CashLimits:
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(cash_limits.c.body)
                                  .where(cash_limits.c.id == 1))).first()
    return policy.stored_model(CashLimits, json.loads(row.body)) if row else CashLimits()


def relaxed_limits(old: CashLimits, new: CashLimits) -> list[str]:
    """The limits ``new`` raises or removes (``customer_daily_threshold`` 0 = none), and a
    wider ``close_tolerance`` (a teller closes a larger over/short alone): a four-eyes request
    (``bank_settings``); empty when it only lowers or changes nothing."""
    def cap(value: Decimal) -> Decimal:
        return Decimal("Infinity") if value == 0 else value

    out = [name for name in ("teller_daily_limit", "teller_unapproved_daily", "close_tolerance")
           if getattr(new, name) > getattr(old, name)]
    if cap(new.customer_daily_threshold) > cap(old.customer_daily_threshold):
        out.append("customer_daily_threshold")
    return out


@dataclass(frozen=True)
class Draft:
    """A cash payment as DCM has it."""

    payment_guid: str
    status: PaymentStatus
    kind: str  # deposit | withdrawal | "" (not cash)
    category: str
    amount_minor: int
    customer_guid: str
    branch_guid: str | None
    # DCM's, read for a decision (``with_status``); None = not read, which ``decide``
    # refuses for a draft (never taken as "not blocked")
    customer_status: str | None = None
    customer: Customer | None = None  # as that read found it (a withdrawal's payer login)


async def read_payment(client: PlatformClient, payment_guid: str) -> Payment:
    """The payment on DCM; 404 when there is none, 503 ``dcm_unreadable`` when DCM cannot be
    read."""
    try:
        return await client.get_payment(payment_guid, False)
    except (NotFound, ValidationError):  # an unknown GUID may be a 400 on DCM (docs are open)
        raise HubError(404, "no such payment on DCM") from None
    except PlatformError as exc:
        raise dcm_unreadable(f"DCM cannot be read: {exc.message}") from None


async def read_draft(client: PlatformClient, payment_guid: str, *,
                     currency: str | None = None, with_status: bool = False) -> Draft:
    """``currency``: the till's (the policy's ``cash_currency``); other cash reads as none.
    ``with_status``: the customer's status is read too (a decision needs it)."""
    payment = await read_payment(client, payment_guid)
    return await draft_of(client, payment, payment_guid, currency=currency,
                          with_status=with_status)


async def category_code(client: PlatformClient, payment: Payment) -> str:
    """The payment's category code (§3.9: "04" cash in, "02" cash out at the desk), from
    ``category`` or, when that is no code we know, the category directory by GUID."""
    code = payment.category
    if code not in CASH_KINDS and payment.category_guid:
        if payment.category_guid not in _categories:
            for cat in await client.list_categories():
                _categories[cat.guid] = cat.name
        code = _categories.get(payment.category_guid, code)
    return code


async def draft_of(client: PlatformClient, payment: Payment, guid: str | None = None, *,
                   currency: str | None = None, with_status: bool = False) -> Draft:
    """A payment read on DCM as a cash draft, told by the accounts it moves money between
    (``cash_kind``), not by its category alone; customer and branch from the customer's
    account. Cash no till may take (not through the branch's processing account, or not in
    ``currency`` when given) has kind "": every caller refuses it as no cash.
    ``with_status``: the customer's ``status`` on DCM now, for a cash draft still CREATED
    (one more read; only a decision needs it). A read DCM does not answer: 503
    ``dcm_unreadable``."""
    from .cash_kind import classify

    try:  # its category and accounts: unread, nothing may be decided on the draft
        code = await category_code(client, payment)
        shape = await classify(client, payment, code, currency)
    except PlatformError as exc:
        raise dcm_unreadable(f"DCM cannot be read: {exc.message}") from None
    customer: Customer | None = None
    if with_status and shape.takeable and payment.status is PaymentStatus.CREATED:
        customer = await read_customer(client, shape.customer_guid)
    return Draft(guid or payment.guid, payment.status, shape.kind if shape.takeable else "",
                 code, to_minor(payment.amount), shape.customer_guid, shape.branch_guid,
                 None if customer is None else customer.status or "", customer)


async def is_voided(conn: AsyncConnection, payment_guid: str) -> bool:
    row = (await conn.execute(sa.select(cash_voids.c.kind)
                              .where(cash_voids.c.payment_guid == payment_guid))).first()
    return row is not None


async def _sum(conn: AsyncConnection, *cond: Any) -> int:
    """Authorized cash in the day's totals: neither voided nor read FAILED (no money moved).
    ``cond`` names a teller's or a customer's day (``ix_cash_authorizations_teller_day`` /
    ``_customer_guid_day``, revision 0015); each row's void and FAILED read are one probe by
    key (``NOT EXISTS``), not the two tables read whole (``NOT IN``) three times a decision."""
    a = cash_authorizations.c
    value = (await conn.execute(sa.select(sa.func.coalesce(sa.func.sum(a.amount_minor), 0))
                                .where(*cond, *neither_voided_nor_failed(a.payment_guid))
                                )).scalar_one()
    return int(value)


def refuse(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"decision": "refuse", "reasons": [code], "message": message, **extra}


DAILY_LIMIT_PASSED = "the teller's daily cash limit would be passed"


async def day_rules(conn: AsyncConnection, teller: str, payment_guid: str, customer_guid: str,
                    amount_minor: int, limits: CashLimits, threshold: Decimal,
                    day: str) -> tuple[int, int, list[str] | None]:
    """The day's limits for one draft on cash day ``day``, with the other authorizations
    filed under it (``decide``'s, and a confirm's on a later day than its authorization:
    ``cash_commands.file_for_today``): (the teller's total with it, their daily limit, the
    reasons a supervisor is needed; None: the daily limit would be passed, refused)."""
    a = cash_authorizations.c
    others = a.payment_guid != payment_guid
    mine = [a.teller == teller, a.day == day, others]
    after = await _sum(conn, *mine) + amount_minor
    limit = to_minor(limits.teller_daily_limit)
    if after > limit:
        return after, limit, None
    reasons = []
    if amount_minor > to_minor(threshold):
        reasons.append("over_threshold")
    unsupervised = await _sum(conn, *mine, a.decision == "allow")
    if unsupervised + amount_minor > to_minor(limits.teller_unapproved_daily):
        reasons.append("teller_cumulative")
    cap = to_minor(limits.customer_daily_threshold)
    if cap and customer_guid:
        customer_total = await _sum(conn, a.customer_guid == customer_guid, a.day == day,
                                    others)
        if customer_total + amount_minor > cap:
            reasons.append("customer_cumulative")
    return after, limit, reasons


async def decide(conn: AsyncConnection, emp: HubEmployee, draft: Draft, limits: CashLimits,
                 threshold: Decimal, *, till: Any, record: bool, zone: ZoneInfo,
                 blocked_statuses: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The decision for ``draft`` by ``emp`` inside the caller's (locked) transaction.
    ``zone``: the cash day's (``cash_tz``); ``blocked_statuses``: the policy's
    ``sensitive_statuses`` (normalised)."""
    # Until the draft is known to be in the employee's branch, a refusal tells nothing of it
    # (amount, customer, branch, state): another branch's GUID must not read as a lookup.
    if draft.kind and not emp.may_act_in(draft.branch_guid):
        return refuse("other_branch", "the customer is not in your branch")
    if draft.payment_guid and await is_voided(conn, draft.payment_guid):
        return refuse("voided", "the draft was voided: it is never confirmed")
    if draft.payment_guid and draft.status is not PaymentStatus.CREATED:
        return refuse("not_created", "the payment is not a draft")
    if not draft.kind:  # (its branch is unknown: only a cash draft's account is read)
        return refuse("not_cash", "not a cash deposit or withdrawal")
    base = {"payment_guid": draft.payment_guid, "kind": draft.kind,
            "amount": money(draft.amount_minor), "customer_guid": draft.customer_guid,
            "branch_guid": draft.branch_guid, "threshold": f"{threshold:.2f}"}
    status = draft.customer_status
    if status is None:  # never read (a caller without ``with_status``): no decision
        # the hub's own slip (a caller without ``with_status``), not DCM: no code, no "retry"
        raise HubError(503, "the cash's customer status was not read: the hub cannot decide")
    # DCM ignores ``status``: the bank's "blocked"/"closed" stops cash only here. Both ways,
    # as DCM's own block (``is_disabled``) does; an approved request does not lift it.
    if stops_cash(status, blocked_statuses):
        return refuse(CUSTOMER_BLOCKED, REFUSAL, customer_status=status, **base)
    check_cash_step(draft.amount_minor)  # 422 ``cash_amount_step``: no till count equals it
    if till is None or till.state != "open":
        return refuse("no_open_till", "open your till first (and have it co-signed)", **base)
    day = cash_day(zone)
    owner = (await conn.execute(sa.select(cash_authorizations.c.teller).where(
        cash_authorizations.c.payment_guid == draft.payment_guid))).scalar_one_or_none()
    if owner is not None and owner != emp.email:
        return refuse("other_teller", "another teller's draft", **base)
    if draft.kind == "withdrawal":  # less what the till promised: other withdrawals, transfers
        held = await available_minor(conn, till.id, payment_guid=draft.payment_guid)
        if draft.amount_minor > held:
            return refuse("till_short", f"the till can pay out {money(held)}", **base)
    after, limit, reasons = await day_rules(conn, emp.email, draft.payment_guid,
                                            draft.customer_guid, draft.amount_minor, limits,
                                            threshold, day)
    base.update(day_total=money(after), teller_daily_limit=money(limit))
    if reasons is None:
        return refuse("teller_daily_limit", DAILY_LIMIT_PASSED, **base)
    decision = "needs_approval" if reasons else "allow"
    if record and draft.payment_guid:
        values = {"teller": emp.email, "till_id": till.id, "branch_guid": draft.branch_guid,
                  "customer_guid": draft.customer_guid, "kind": draft.kind,
                  "amount_minor": draft.amount_minor, "decision": decision,
                  "reasons": ",".join(reasons), "day": day, "created_at": now()}
        if owner is None:
            await conn.execute(cash_authorizations.insert().values(
                payment_guid=draft.payment_guid, **values))
        else:
            await conn.execute(cash_authorizations.update().where(
                cash_authorizations.c.payment_guid == draft.payment_guid).values(**values))
    if reasons and draft.payment_guid:
        # four eyes: a supervisor's approved command for exactly this draft and amount
        from .cash_commands import approved_request

        approved = await approved_request(conn, draft.payment_guid, draft.amount_minor)
        if approved is not None:
            return {"decision": "allow", "reasons": reasons, "message": "",
                    "approved_request": approved, **base}
    return {"decision": decision, "reasons": reasons, "message": "", **base}


def customer_lock_key(customer_guid: str) -> int:
    """A PostgreSQL advisory lock key for one customer's daily cash total (SQLite already
    serialises every writer at ``lock_till``)."""
    return named_lock_key(f"cash-customer:{customer_guid}")


async def lock_till(conn: AsyncConnection, teller: str) -> Any:
    """The teller's live till, row-locked (PG) / write-locked (SQLite) for this transaction."""
    t = tills.c
    await conn.execute(tills.update().where(t.active_teller == teller)
                       .values(version=t.version + 1))
    return (await conn.execute(sa.select(tills).where(t.active_teller == teller))).first()


Guard = Callable[[AsyncConnection], Awaitable[None]]


async def authorize(engine: AsyncEngine, emp: HubEmployee, draft: Draft, *, zone: ZoneInfo,
                    record: bool = True, guard: Guard | None = None,
                    refusal_raises: bool = False, desk_id: str | None = None,
                    confirming: bool = False) -> dict[str, Any]:
    """The decision for ``draft`` by ``emp``, serialised on the teller's till (and, on
    PostgreSQL, the customer); ``zone``: the cash day's (the app's ``cash_tz``). ``guard``
    runs under those locks before the decision (a HubError it raises rolls the transaction
    back); with ``refusal_raises`` a refusal is a HubError with the refusal's code, raised
    inside the transaction (nothing of it is kept).
    ``desk_id``: the desk asking must hold the till's lease (409 ``till_elsewhere``).
    ``confirming``: the desk asks right before its confirm; an "allow" stamps
    ``confirm_asked_at`` (``voids`` waits out a confirm that may still reach DCM)."""
    limits = await load_limits(engine)
    pol = (await policy.load(engine))[0]
    try:
        verdict = await _authorize_locked(engine, emp, draft, limits, pol, zone, record=record,
                                          guard=guard, refusal_raises=refusal_raises,
                                          desk_id=desk_id, confirming=confirming)
    except HubError as exc:
        if exc.code == CUSTOMER_BLOCKED:
            await _audit_blocked(engine, emp, draft, confirming, refusal_raises)
        raise
    if verdict.get("reasons") == [CUSTOMER_BLOCKED] and verdict["decision"] == "refuse":
        await _audit_blocked(engine, emp, draft, confirming, refusal_raises)
    return verdict


async def _audit_blocked(engine: AsyncEngine, emp: HubEmployee, draft: Draft,
                         confirming: bool, raised: bool) -> None:
    """The hub's audit of a draft refused for its customer's status (a preview, with no
    draft yet, leaves none); after the decision's transaction, which a raised refusal rolls
    back."""
    if not draft.payment_guid:
        return
    via = "cash_request" if raised else "authorize_confirm" if confirming else "authorize"
    await audit_refusal(engine, actor=emp.email, payment_guid=draft.payment_guid,
                        customer_guid=draft.customer_guid, status=draft.customer_status or "",
                        kind=draft.kind, amount=money(draft.amount_minor),
                        branch_guid=draft.branch_guid, via=via)


async def _authorize_locked(engine: AsyncEngine, emp: HubEmployee, draft: Draft,
                            limits: CashLimits, pol: policy.Policy, zone: ZoneInfo, *,
                            record: bool,
                            guard: Guard | None, refusal_raises: bool, desk_id: str | None,
                            confirming: bool) -> dict[str, Any]:
    threshold = pol.cash_threshold
    async with engine.begin() as conn:
        till = await lock_till(conn, emp.email)
        if till is not None and desk_id is not None:
            from .tills import live_till  # the till module imports this one

            till = await live_till(conn, emp, desk_id)  # this desk's lease, renewed
        if draft.customer_guid:  # PG: two tellers' totals for one customer, one at a time
            await pg_lock(conn, customer_lock_key(draft.customer_guid))
        if guard is not None:
            await guard(conn)
        verdict = await decide(conn, emp, draft, limits, threshold, till=till, record=record,
                               zone=zone, blocked_statuses=frozenset(pol.sensitive_statuses))
        if refusal_raises and verdict["decision"] == "refuse":
            code = str((verdict.get("reasons") or ["refused"])[0])
            raise HubError(403 if code == "other_branch" else 409, str(verdict["message"]),
                           code)
        if confirming and record and draft.payment_guid and verdict["decision"] == "allow":
            await conn.execute(cash_authorizations.update().where(
                cash_authorizations.c.payment_guid == draft.payment_guid).values(
                confirm_asked_at=now()))
        return verdict


async def owner_of(conn: AsyncConnection, payment_guid: str) -> str | None:
    value = (await conn.execute(sa.select(cash_authorizations.c.teller).where(
        cash_authorizations.c.payment_guid == payment_guid))).scalar_one_or_none()
    return None if value is None else str(value)

