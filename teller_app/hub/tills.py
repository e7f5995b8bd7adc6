"""Till sessions on the hub (issue 15 item 6): open with a count by denomination (a
supervisor co-signs when it differs from the till's last close), the expected position moved
by verified cash operations and approved vault transfers, and the end-of-day report. The
close is in ``till_close``, vault transfers in ``till_vault_transfers``, vault counts in
``till_vault_counts`` and the branch's cash position in ``till_position``.

One desk holds a till at a time: opening takes a lease (``desk_id``, renewed by every call
and by heartbeats); another desk is refused until the lease lapses, and then takes the till
only by a teller's step there (opening it, a cash check, a count, a transfer, the close),
never by a heartbeat: a desk the teller is merely signed in at never takes the till from the
desk with the cash drawer. A till code has at most one live session, and a teller at most
one (unique ``active_key`` / ``active_teller``).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit, till_events
from .db import now
from .errors import HubError
from .events import is_checker
from .models import HubEmployee
from .snapshot_read import one_snapshot
from .till_holding import expected_minor
from .till_money import counts_json, money
from .till_tables import till_ops, till_transfers, tills

LIVE = ("cosign", "open", "close_cosign")  # not closed: the session holds the till's cash
COUNTING = ("cosign", "open")  # a payment or a transfer may still move it


def lease_seconds() -> int:
    try:
        return max(5, int(os.environ.get("TELLER_HUB_TILL_LEASE_S", "120")))
    except ValueError:
        return 120


def branch_key(branch_guid: str | None) -> str:
    return branch_guid or ""


def branch_is(column: sa.ColumnElement[Any], branch: str | None) -> sa.ColumnElement[bool]:
    """``coalesce(column, '') = branch_key(branch)`` in a form an index on ``column`` serves
    (a function of the column serves none): no branch (head office: ``None`` or ``""``) is a
    NULL or an empty column, a branch its own guid."""
    if branch:
        return column == branch
    return sa.or_(column.is_(None), column == "")


async def till_out(conn: AsyncConnection, row: Any, expected: int | None = None
                   ) -> dict[str, Any]:
    """The till as the API shows it; ``expected``: its expected cash when already read."""
    if expected is None:
        expected = await expected_minor(conn, row.id)
    return {
        "id": row.id, "till_code": row.till_code, "branch_guid": row.branch_guid,
        "teller": row.teller, "state": row.state, "opened_at": row.opened_at,
        "open_counts": json.loads(row.open_counts), "open_total": money(row.open_minor),
        "previous_close": None if row.prev_close_minor is None else money(row.prev_close_minor),
        "cosigned_by": row.cosigned_by, "desk_id": row.desk_id, "lease_until": row.lease_until,
        "expected": money(expected), "closed_at": row.closed_at,
        "close_counts": json.loads(row.close_counts) if row.close_counts else None,
        "counted": None if row.close_minor is None else money(row.close_minor),
        "over_short": None if row.over_short_minor is None else money(row.over_short_minor),
        "close_reason": row.close_reason, "close_cosigned_by": row.close_cosigned_by,
        "close_cosigned_at": row.close_cosigned_at,
    }


async def pending_transfers(conn: AsyncConnection, till_id: str) -> list[dict[str, Any]]:
    """The till's vault transfers waiting for a supervisor, oldest first: its close is
    refused while any waits (``transfer_pending``), so the desk says so before the count."""
    from .till_vault_transfers import transfer_out  # it imports this module

    t = till_transfers.c
    rows = (await conn.execute(sa.select(till_transfers).where(
        t.till_id == till_id, t.state == "pending").order_by(t.created_at, t.id))).all()
    return [transfer_out(r) for r in rows]


async def current_till(engine: AsyncEngine, emp: HubEmployee) -> dict[str, Any]:
    """The teller's live till and its transfers waiting (``GET /tills/current``) read at one
    moment (``snapshot_read``): read apart, a transfer another process approved between them
    was in neither the till's expected cash nor the waiting list. Nothing is written (a read
    renews no lease)."""
    async with one_snapshot(engine) as conn:
        row = await live_till(conn, emp, None, renew=False)
        return {**await till_out(conn, row),
                "pending_transfers": await pending_transfers(conn, row.id)}


async def audit_till(conn: AsyncConnection, emp: HubEmployee, desk_id: str, till_id: str,
                     branch: str | None, detail: dict[str, Any]) -> None:
    await audit.append(conn, audit.Entry(actor=emp.email, action="till", entity=f"till:{till_id}",
                                         desk_id=desk_id, branch_guid=branch, detail=detail))


def closed_sessions(till_code: str | None, branch: str | None) -> list[sa.ColumnElement[bool]]:
    """The closed sessions of a till code (every code: None) in a branch."""
    t = tills.c
    cond = [t.state == "closed", branch_is(t.branch_guid, branch)]
    return cond + ([t.till_code == till_code] if till_code is not None else [])


def latest_first(branch: str | None) -> tuple[sa.ColumnElement[Any], ...]:
    """The newest close first: by its place among the code's closes (``close_seq``), never
    by the clock alone, whose whole seconds tie. For sessions of ``branch`` (``close_rank``)."""
    t = tills.c
    return (close_rank(branch).desc(), t.closed_at.desc(), t.id.desc())


def close_rank(branch: str | None) -> sa.ColumnElement[Any]:
    """A close's place among its code's closes: twice its ``close_seq``. A close made by a
    process older than revision 0008 (rolling upgrade) has no number: it comes right after
    the code's numbered closes made at or before its time (by the clock, all there is), so
    it is never taken for the oldest, and a close numbered after it (stamped no earlier)
    still comes after it. Only for sessions of ``branch``: the code's closes are looked up
    in that branch (an index seek, where comparing the two rows' branches is none)."""
    t = tills.c
    numbered = tills.alias("numbered")
    n = numbered.c
    before = sa.select(sa.func.coalesce(sa.func.max(n.close_seq), 0)).where(
        n.state == "closed", n.till_code == t.till_code, branch_is(n.branch_guid, branch),
        n.close_seq.is_not(None), n.closed_at <= t.closed_at).scalar_subquery()
    return sa.case((t.close_seq.is_(None), before * 2 + 1), else_=t.close_seq * 2)


async def last_close(conn: AsyncConnection, till_code: str, branch: str | None) -> Any:
    return (await conn.execute(sa.select(tills).where(*closed_sessions(till_code, branch))
                               .order_by(*latest_first(branch)).limit(1))).first()


async def open_till(engine: AsyncEngine, emp: HubEmployee, *, till_code: str, desk_id: str,
                    counts: dict[str, int], total: int) -> dict[str, Any]:
    t = tills.c
    branch = emp.branch_guid if not emp.head_office else None
    key = f"{branch_key(branch)}:{till_code}"
    at = now()
    async with engine.begin() as conn:
        live = (await conn.execute(sa.select(tills).where(
            sa.or_(t.active_key == key, t.active_teller == emp.email)))).first()
        if live is not None:
            if live.teller == emp.email and live.till_code == till_code and (
                    live.desk_id == desk_id or live.lease_until < at):
                # taken only as read: another desk that took it meanwhile keeps it
                took = await conn.execute(tills.update().where(
                    t.id == live.id, _lease_free_for(desk_id, at)).values(
                    desk_id=desk_id, lease_until=at + lease_seconds()))
                row = (await conn.execute(sa.select(tills).where(t.id == live.id))).one()
                if took.rowcount != 1:
                    raise HubError(409, f"till {till_code} is open at another desk "
                                   f"({live.teller})", "till_busy")
                return await till_out(conn, row)
            if live.till_code != till_code:
                raise HubError(409, f"you already hold till {live.till_code}: close it first",
                               "till_held")
            raise HubError(409, f"till {till_code} is open at another desk ({live.teller})",
                           "till_busy")
        last = await last_close(conn, till_code, branch)
        prev = None if last is None else int(last.close_minor)
        # The first opening of a till has nothing to compare with: a supervisor co-signs it.
        state = "open" if prev is not None and prev == total else "cosign"
        till_id = str(uuid.uuid4())
        try:
            await conn.execute(tills.insert().values(
                id=till_id, till_code=till_code, branch_guid=branch, teller=emp.email,
                state=state, active_key=key, active_teller=emp.email, opened_at=at,
                open_counts=counts_json(counts), open_minor=total, prev_close_minor=prev,
                desk_id=desk_id, lease_until=at + lease_seconds()))
        except sa.exc.IntegrityError:
            raise HubError(409, f"till {till_code} is open at another desk",
                           "till_busy") from None
        row = (await conn.execute(sa.select(tills).where(t.id == till_id))).one()
        if state == "cosign":
            await till_events.waiting(conn, till_events.open_data(row), branch)
        await audit_till(conn, emp, desk_id, till_id, branch, {
            "open": money(total), "till_code": till_code, "counts": counts_json(counts),
            "previous_close": None if prev is None else money(prev),
            "previous_close_till": None if last is None else last.id})
        return await till_out(conn, row)


async def live_till(conn: AsyncConnection, emp: HubEmployee, desk_id: str | None,
                    *, renew: bool = True, take: bool = True) -> Any:
    """The teller's live till held by this desk (409 ``till_elsewhere`` for another desk
    while leased), its lease renewed (``renew``). ``take``: a teller's step at this desk
    takes a lease that has lapsed; a heartbeat (``take`` False) only renews the desk that
    holds the till (``desk_id``, lapsed or not) and never takes it. The renewal is one
    conditional UPDATE: of two desks asking at once, only one is told it holds the till."""
    t = tills.c
    row = (await conn.execute(sa.select(tills).where(t.active_teller == emp.email))).first()
    if row is None:
        raise HubError(409, "you have no open till")
    if desk_id is None:
        return row
    at = now()
    if not renew:
        if row.desk_id != desk_id and (not take or row.lease_until >= at):
            raise _elsewhere(row)
        return row
    held = _lease_free_for(desk_id, at) if take else t.desk_id == desk_id
    done = await conn.execute(tills.update().where(t.id == row.id, held).values(
        desk_id=desk_id, lease_until=at + lease_seconds()))
    row = (await conn.execute(sa.select(tills).where(t.id == row.id))).one()
    if done.rowcount != 1:
        raise _elsewhere(row)
    return row


def _lease_free_for(desk_id: str, at: int) -> sa.ColumnElement[bool]:
    """The till's lease is ``desk_id``'s or has lapsed (evaluated by the UPDATE itself, on
    the row as it is when written: PostgreSQL re-reads a row another transaction changed)."""
    t = tills.c
    return sa.or_(t.desk_id == desk_id, t.lease_until < at)


def _elsewhere(row: Any) -> HubError:
    return HubError(409, f"the till is in use at another desk ({row.desk_id})",
                    "till_elsewhere")


async def till_to_cosign(conn: AsyncConnection, emp: HubEmployee, till_id: str) -> Any:
    """The till a supervisor co-signs (404 outside their branch; 403 for its own teller)."""
    row = (await conn.execute(sa.select(tills).where(tills.c.id == till_id))).first()
    if row is None or not emp.may_act_in(row.branch_guid):
        raise HubError(404, "no such till")
    if row.teller == emp.email:
        raise HubError(403, "the teller may not co-sign their own count", "cosign_own")
    return row


async def cosign(engine: AsyncEngine, emp: HubEmployee, till_id: str) -> dict[str, Any]:
    t = tills.c
    async with engine.begin() as conn:
        row = await till_to_cosign(conn, emp, till_id)
        done = await conn.execute(tills.update().where(t.id == till_id, t.state == "cosign")
                                  .values(state="open", cosigned_by=emp.email,
                                          cosigned_at=now()))
        if done.rowcount != 1:
            raise HubError(409, f"the till is {row.state}: nothing to co-sign",
                           "nothing_to_cosign")
        await till_events.decided(conn, till_events.open_data(row), row.branch_guid,
                                  state="cosigned", checker=emp.email)
        await audit_till(conn, emp, "", till_id, row.branch_guid, {"cosigned": True})
        return await till_out(conn, (await conn.execute(
            sa.select(tills).where(t.id == till_id))).one())


async def record_operation(conn: AsyncConnection, till: Any, *, payment_guid: str, kind: str,
                           category: str, amount_minor: int, customer_guid: str) -> bool:
    """Count a confirmed payment once; False when it was already counted in this till. The
    till's row is taken first: a till closed meanwhile (a close racing a reconcile) refuses,
    so its close figures always match its operations."""
    still = await conn.execute(tills.update().where(
        tills.c.id == till.id, tills.c.state.in_(COUNTING)).values(state=tills.c.state))
    if still.rowcount != 1:
        raise HubError(409, "the till is closed", "till_closed")
    found = (await conn.execute(sa.select(till_ops.c.till_id).where(
        till_ops.c.payment_guid == payment_guid))).first()
    if found is not None:
        if found.till_id != till.id:
            raise HubError(409, "this payment is counted in another till", "counted_elsewhere")
        return False
    delta = amount_minor if kind == "deposit" else -amount_minor
    await conn.execute(till_ops.insert().values(
        till_id=till.id, payment_guid=payment_guid, kind=kind, category=category,
        amount_minor=amount_minor, delta_minor=delta, customer_guid=customer_guid,
        created_at=now()))
    from .cash_commands import check_supervised  # over the threshold without approval?

    await check_supervised(conn, payment_guid, amount_minor, customer_guid)
    return True


async def report(engine: AsyncEngine, emp: HubEmployee, till_id: str) -> dict[str, Any]:
    """Everything the end-of-day report prints."""
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(tills).where(tills.c.id == till_id))).first()
        if row is None or not (row.teller == emp.email or (
                is_checker(emp) and emp.may_act_in(row.branch_guid))):
            raise HubError(404, "no such till")
        ops = (await conn.execute(sa.select(till_ops).where(till_ops.c.till_id == till_id)
                                  .order_by(till_ops.c.id))).all()
        out = await till_out(conn, row)
    totals: dict[str, dict[str, Any]] = {}
    for op in ops:
        entry = totals.setdefault(op.kind, {"count": 0, "minor": 0})
        entry["count"] += 1
        entry["minor"] += op.amount_minor
    out["operations"] = [{"kind": o.kind, "category": o.category, "amount": money(o.amount_minor),
                          "payment_guid": o.payment_guid, "customer_guid": o.customer_guid,
                          "at": o.created_at} for o in ops]
    out["totals"] = {k: {"count": v["count"], "amount": money(v["minor"])}
                     for k, v in sorted(totals.items())}
    return out
