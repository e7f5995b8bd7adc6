"""Over-threshold cash as a four-eyes command (issue 15): the teller files a ``cash_confirm``
request for a draft the hub said "needs_approval"; a supervisor approves it (the hub then
confirms on DCM) or rejects it (the draft is voided). The same command pipeline as customer
changes: rows, events and audit are the four-eyes ones.

Here: the filing is checked against DCM (the supervisor is shown what DCM holds, never the
desk's word) and against the hub's own controls (only the teller who authorized the draft
at ``/cash/authorize`` files it, and the decision is taken again), an approval and its
execution check the draft is still controlled and that the approver is not the draft's
teller, ``/cash/authorize`` answers "allow" for an over-threshold draft only when an
approved command for exactly that draft and amount exists, and desks read who made each
draft (teller, customer, amount) for the supervisor's inbox.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.platform import PlatformClient
from teller_app.platform.models import PaymentStatus

from . import audit, commands, events, policy
from .cash_limits import (
    DAILY_LIMIT_PASSED,
    CashLimits,
    authorize,
    customer_lock_key,
    day_rules,
    is_voided,
    owner_of,
    read_draft,
)
from .db import now
from .errors import HubError
from .fe_tables import alerts
from .fe_tables import commands as command_rows
from .models import HubEmployee
from .till_money import cash_day, money, to_minor
from .till_tables import cash_authorizations

APPROVED_STATES = (commands.APPROVED, commands.APPLIED)


def minor_of(value: Any) -> int | None:
    try:
        return to_minor(Decimal(str(value)))
    except (HubError, InvalidOperation):
        return None


def cash_confirm_requests(payment_guid: str) -> sa.ColumnElement[bool]:
    """The ``cash_confirm`` commands filed for this draft (a prefilter on the canonical
    JSON; callers compare the parsed change when it matters)."""
    c = command_rows.c
    return sa.and_(c.kind == "cash_confirm",
                   c.change_json.contains(f'"payment_guid":{json.dumps(payment_guid)}'))


async def _confirm_request(conn: AsyncConnection, payment_guid: str, amount_minor: int,
                           *where: sa.ColumnElement[bool]) -> str | None:
    """The id of a ``cash_confirm`` command for exactly this draft and amount that also
    meets ``where``, if any."""
    c = command_rows.c
    rows = await conn.execute(sa.select(c.id, c.change_json).where(
        cash_confirm_requests(payment_guid), *where))
    for row in rows:
        change = json.loads(row.change_json)
        if change.get("payment_guid") == payment_guid and \
                minor_of(change.get("amount")) == amount_minor:
            return str(row.id)
    return None


async def approved_request(conn: AsyncConnection, payment_guid: str,
                           amount_minor: int) -> str | None:
    """The id of an approved (or applied) ``cash_confirm`` command for exactly this draft
    and amount, if any."""
    return await _confirm_request(conn, payment_guid, amount_minor,
                                  command_rows.c.state.in_(APPROVED_STATES))


async def hub_confirmed(conn: AsyncConnection, payment_guid: str, amount_minor: int) -> bool:
    """The hub's own execution of an approved ``cash_confirm`` for exactly this draft and
    amount confirmed it on DCM, its answer received (``commands.APPLIED_RESULT``), after
    its status check passed. Not "already on DCM", "found on DCM when resuming", an answer
    that did not come ("found on DCM after no answer") or an in-doubt confirm settled later:
    the confirm DCM applied may be a desk's."""
    c = command_rows.c
    return await _confirm_request(conn, payment_guid, amount_minor, c.state == commands.APPLIED,
                                  c.result == commands.APPLIED_RESULT) is not None


async def check_filing(client: PlatformClient, engine: AsyncEngine, emp: HubEmployee,
                       customer_guid: str, branch_guid: str | None,
                       change: dict[str, Any], *, zone: ZoneInfo) -> None:
    """A ``cash_confirm`` request must name a live CREATED cash draft of that customer, in
    the request's branch, with DCM's amount (a desk cannot get a smaller figure approved),
    that the maker themself authorized at ``/cash/authorize``: the draft is their cash, in
    their till and day total. The hub's decision is taken again now, as a confirm at the desk
    meets it (till open, till holds a withdrawal, the teller's daily limit, the customer's
    status not blocked), on the cash day in ``zone``: a request never takes cash past those
    controls. Refusals carry a stable ``code`` (see the report)."""
    guid = str(change.get("payment_guid") or "")
    currency = await policy.cash_currency(engine)
    draft = await read_draft(client, guid, currency=currency, with_status=True)
    if not draft.kind:
        raise HubError(422, "not a cash deposit or withdrawal", "not_cash")
    if draft.status is not PaymentStatus.CREATED:
        raise HubError(409, f"the payment is {draft.status.value}, not a draft", "not_created")
    if draft.customer_guid != customer_guid:
        raise HubError(422, "the draft is not this customer's", "other_customer")
    if (draft.branch_guid or None) != (branch_guid or None):
        raise HubError(422, "the draft is not in the customer's branch", "other_branch")
    if (change.get("branch_guid") or draft.branch_guid) != draft.branch_guid:
        raise HubError(422, "the change names another branch than the draft's",
                       "branch_differs")
    if minor_of(change.get("amount")) != draft.amount_minor:
        raise HubError(422, f"the amount differs from the draft's {money(draft.amount_minor)}",
                       "amount_differs")

    async def owned_by_maker(conn: AsyncConnection) -> None:  # under authorize's locks
        owner = await owner_of(conn, guid)
        if owner is None:
            raise HubError(409, "the draft was never authorized at the hub: the teller's desk "
                           "authorizes it (/cash/authorize) before asking", "not_authorized")
        if owner != emp.email:
            raise HubError(403, "another teller's draft: only the teller handling its cash "
                           "asks for approval", "other_teller")

    await authorize(engine, emp, draft, zone=zone, guard=owned_by_maker, refusal_raises=True)


async def check_approval(engine: AsyncEngine, emp: HubEmployee, cmd: commands.Command) -> None:
    """Before a ``cash_confirm`` is approved (and executed): its draft is still under the
    hub's control and the approver is not the teller handling the cash."""
    amount = minor_of(cmd.change.get("amount"))
    async with engine.connect() as conn:
        await check_controlled(conn, str(cmd.change.get("payment_guid") or ""),
                               amount if amount is not None else -1, emp.email)


async def check_controlled(conn: AsyncConnection, payment_guid: str, amount_minor: int,
                           checker: str) -> None:
    """The draft was authorized at the hub for exactly ``amount_minor``, is not voided, and
    ``checker`` is not its teller: maker ≠ checker holds for the person handling the cash
    (a supervisor with a till authorizes their own drafts; someone else must approve them)."""
    if await is_voided(conn, payment_guid):
        raise HubError(409, "the draft was voided at the hub: it is never confirmed", "voided")
    a = cash_authorizations.c
    row = (await conn.execute(sa.select(a.teller, a.amount_minor).where(
        a.payment_guid == payment_guid))).first()
    if row is None:
        raise HubError(409, "the draft was never authorized at the hub", "not_authorized")
    if str(row.teller) == checker:
        raise HubError(403, "the teller handling this cash may not approve it (four eyes)",
                       "cash_own")
    if int(row.amount_minor) != amount_minor:
        raise HubError(409, f"the amount differs from the one authorized "
                       f"({money(int(row.amount_minor))})", "amount_differs")


async def file_for_today(conn: AsyncConnection, payment_guid: str, amount_minor: int,
                         limits: CashLimits, threshold: Decimal, zone: ZoneInfo) -> None:
    """Right before a confirm the desk did not re-check (the Mode-B proxy's, the hub's
    execution of an approved request): a draft authorized on an earlier cash day (before
    Kyiv midnight, or on Friday) is decided again for today, as ``/cash/authorize`` decides
    it, and filed under today; its cash moves today, so today's limits count it, and only
    today's. Today's decision refuses (the teller's daily limit): ``HubError`` 409
    ``teller_daily_limit``, raised inside the caller's transaction (the row stays where it
    was). Needing a supervisor is recorded (``needs_approval`` with today's reasons) for
    ``unsupervised`` to judge: an approved request for exactly this draft and amount is that
    supervisor (the threshold rule is met), yet the daily limit still counts the cash.

    The caller holds the draft's teller's till (``cash_limits.lock_till``), as
    ``authorize`` does; the customer's lock is taken here, in ``authorize``'s order. A draft
    already filed under today (the desk's re-check moved it), never authorized, voided or
    authorized for another amount is left to the caller's checks."""
    a = cash_authorizations.c
    row = await authorization_of(conn, payment_guid)
    today = cash_day(zone)
    # a row already under today (or under tomorrow: another process whose clock passed
    # midnight first) stays where it is
    if row is None or row.day >= today or int(row.amount_minor) != amount_minor or \
            await is_voided(conn, payment_guid):
        return
    if row.customer_guid:  # PG: one customer's total among tellers, one at a time
        await events.pg_lock(conn, customer_lock_key(str(row.customer_guid)))
    after, limit, reasons = await day_rules(conn, str(row.teller), payment_guid,
                                            str(row.customer_guid or ""), amount_minor,
                                            limits, threshold, today)
    if reasons is None:
        raise HubError(409, f"{DAILY_LIMIT_PASSED} today: the draft was authorized on "
                       f"{row.day} and its cash counts on the day it is confirmed "
                       f"({money(after)} of {money(limit)})", "teller_daily_limit")
    await conn.execute(cash_authorizations.update().where(a.payment_guid == payment_guid)
                       .values(day=today, decision="needs_approval" if reasons else "allow",
                               reasons=",".join(reasons)))


async def authorizations(engine: AsyncEngine, emp: HubEmployee,
                         payment_guids: list[str]) -> list[dict[str, Any]]:
    """Who authorized each draft (the teller, its customer, kind, amount, the hub's decision):
    the supervisor's inbox names them. A checker sees their branch's (head office: all);
    anyone else only the drafts they authorized themself."""
    a = cash_authorizations.c
    query = sa.select(cash_authorizations).where(a.payment_guid.in_(payment_guids))
    if not events.is_checker(emp):
        query = query.where(a.teller == emp.email)
    elif not emp.head_office:
        query = query.where(sa.or_(a.branch_guid == emp.branch_guid, a.teller == emp.email))
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [{"payment_guid": r.payment_guid, "teller": r.teller,
             "customer_guid": r.customer_guid, "kind": r.kind,
             "amount": money(int(r.amount_minor)), "decision": r.decision,
             "reasons": [x for x in str(r.reasons or "").split(",") if x],
             "branch_guid": r.branch_guid, "created_at": int(r.created_at)} for r in rows]


async def authorization_of(conn: AsyncConnection, payment_guid: str) -> Any:
    """The draft's ``cash_authorizations`` row (who authorized it, for what), or None."""
    a = cash_authorizations.c
    return (await conn.execute(sa.select(cash_authorizations).where(
        a.payment_guid == payment_guid))).first()


async def unsupervised(conn: AsyncConnection, payment_guid: str,
                       amount_minor: int) -> tuple[Any, list[str]] | None:
    """Why a cash payment DCM shows CONFIRMED went past the hub's control: (its
    authorization row, None when the hub never authorized it; the reasons), or None when the
    hub did control it. Past the hub: never authorized there; authorized "needs_approval"
    with no approved command for exactly this draft and amount; voided at the hub; or
    confirmed for another amount than the one authorized."""
    row = await authorization_of(conn, payment_guid)
    if row is None:
        return None, ["not_authorized"]
    reasons = []
    if await is_voided(conn, payment_guid):
        reasons.append("voided")
    if int(row.amount_minor) != amount_minor:
        reasons.append("amount_differs")
    if row.decision == "needs_approval" and \
            await approved_request(conn, payment_guid, amount_minor) is None:
        reasons += [x for x in str(row.reasons or "").split(",") if x] or ["needs_approval"]
    return (row, reasons) if reasons else None


async def lock_alerts(conn: AsyncConnection) -> None:
    """Serialise alert raisers for the rest of the transaction (the events and audit locks,
    in their usual order; on SQLite the audit lock row is a write, so it must come first)."""
    await events.pg_lock(conn, events.EVENTS_LOCK)
    await audit.lock_chain(conn)


def _alerted(payment_guid: str) -> sa.ColumnElement[bool]:
    needle = json.dumps({"payment_guid": payment_guid}, ensure_ascii=False)[1:-1]
    return alerts.c.detail.contains(needle, autoescape=True)


async def check_supervised(conn: AsyncConnection, payment_guid: str, amount_minor: int,
                           customer_guid: str, *, kind: str = "",
                           branch_guid: str | None = None, created_by: str = "") -> int | None:
    """A cash payment found CONFIRMED on DCM (counted in a till, or seen by the cash watcher):
    if it went past the hub's control (``unsupervised``: a desk or a script confirmed it on
    the platform directly, Mode A), raise an "unapproved cash" alert for the branch's
    supervisors, with an audit row — once per payment, whoever finds it first (the check and
    the insert run under the alert locks). Returns the alert id (None: nothing to report)."""
    found = await unsupervised(conn, payment_guid, amount_minor)
    if found is None:
        return None
    await lock_alerts(conn)
    return await alert_unsupervised(conn, found, payment_guid, amount_minor, customer_guid,
                                    kind=kind, branch_guid=branch_guid, created_by=created_by)


async def alert_unsupervised(conn: AsyncConnection, found: tuple[Any, list[str]],
                             payment_guid: str, amount_minor: int, customer_guid: str, *,
                             kind: str = "", branch_guid: str | None = None,
                             created_by: str = "",
                             customer_status: str | None = None) -> int | None:
    """The "unapproved cash" alert for what ``unsupervised`` found, unless the payment has
    one already. The caller holds the alert locks (``lock_alerts``). ``customer_status``:
    the status read on DCM that stops the customer's cash, when that is a reason."""
    if (await conn.execute(sa.select(alerts.c.id).where(_alerted(payment_guid))
                           .limit(1))).first() is not None:
        return None
    row, reasons = found
    teller = str(row.teller) if row is not None else ""
    branch = row.branch_guid if row is not None else branch_guid
    detail = {"payment_guid": payment_guid, "teller": teller, "login": teller or created_by,
              "customer_guid": customer_guid, "kind": row.kind if row is not None else kind,
              "amount": money(amount_minor), "reasons": reasons,
              "fields": {"amount": {"before": None, "after": money(amount_minor)}}}
    if customer_status is not None:
        detail["customer_status"] = customer_status
    result = await conn.execute(alerts.insert().values(
        customer_guid=customer_guid, branch_guid=branch, detected_at=now(),
        detail=json.dumps(detail, ensure_ascii=False)))
    alert_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    await events.emit(conn, "alert.unapproved_cash", {"alert_id": alert_id, **detail},
                      branch_guid=branch, to_supervisors=True)
    await audit.append(conn, audit.Entry(
        actor="teller-hub", action="alert", entity=f"payment:{payment_guid}",
        branch_guid=branch, detail=detail))
    return int(alert_id) if alert_id is not None else None
