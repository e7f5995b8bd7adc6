"""Voids and rejections of cash drafts (issue 15 item 4). DCM has no cancel endpoint, so the
hub records them: a voided draft is refused by ``authorize`` (never confirmed), its pending
``cash_confirm`` request is withdrawn or rejected (out of every queue), and desks list voids to
mark the draft in history.

* void: the teller who owns the draft (the first to authorize it; a never-authorized draft
  belongs to whoever voids it first in its branch), with a reason;
* reject: a supervisor of the draft's branch, not on their own draft, with a comment.

A draft a desk asked to confirm (``/cash/authorize`` with ``purpose: confirm``) is neither
voided nor rejected for ``confirm_grace_seconds`` after that ask (409
``confirm_may_be_in_flight``): the desk's confirm may have timed out and still reach DCM, and
a void then a second draft would charge the customer twice. After the grace the draft is read
on DCM as it is now (the route reads it after ``read_at``): CREATED is not confirmed.

A draft DCM shows FAILED (§5.2 [A]) is final already: never voided (409), but recorded as
FAILED (``cash_failed``) so the till stops holding it back.
"""

from __future__ import annotations

import math
import os
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.platform.models import PaymentStatus

from . import audit, commands, events
from .cash_commands import cash_confirm_requests, minor_of
from .cash_failed import record_failed
from .cash_limits import Draft, lock_till, owner_of
from .db import dialect_insert, now
from .errors import HubError
from .events import is_checker
from .execution_lease import in_doubt_grace_seconds
from .fe_tables import commands as commands_table
from .models import HubEmployee
from .till_money import money
from .till_tables import cash_authorizations, cash_voids

CONFIRM_IN_FLIGHT = "confirm_may_be_in_flight"


def confirm_grace_seconds() -> float:
    """How long after a desk asked to confirm a draft its confirm may still reach DCM (the
    desk's HTTP timeout, a slow platform): ``TELLER_HUB_CONFIRM_GRACE_S``, else the hub's own
    in-doubt grace."""
    try:
        grace = float(os.environ.get("TELLER_HUB_CONFIRM_GRACE_S", ""))
    except ValueError:
        grace = 0.0
    return grace if grace > 0 else in_doubt_grace_seconds()


def in_flight_for(confirm_asked_at: int | None, read_at: int) -> float:
    """Seconds a confirm asked at ``confirm_asked_at`` may still land after the draft was
    read (at ``read_at``) as CREATED; 0 when it cannot any more."""
    if confirm_asked_at is None:
        return 0.0
    return max(0.0, confirm_asked_at + confirm_grace_seconds() - read_at)


def refuse_if_in_flight(confirm_asked_at: int | None, read_at: int) -> None:
    """409 while a confirm may still land (``in_flight_for``)."""
    wait = in_flight_for(confirm_asked_at, read_at)
    if wait > 0:
        raise HubError(409, f"a confirm of this draft may still reach DCM: try again in "
                       f"{math.ceil(wait)} s", CONFIRM_IN_FLIGHT)


def void_out(r: Any) -> dict[str, Any]:
    return {"payment_guid": r.payment_guid, "kind": r.kind, "actor": r.actor, "owner": r.owner,
            "reason": r.reason, "branch_guid": r.branch_guid, "customer_guid": r.customer_guid,
            "amount": money(r.amount_minor), "created_at": r.created_at}


async def record(engine: AsyncEngine, emp: HubEmployee, draft: Draft, reason: str, *,
                 reject: bool, desk_id: str, read_at: int | None = None) -> dict[str, Any]:
    """``read_at``: when the caller started reading ``draft`` on DCM (default: now)."""
    if draft.status is PaymentStatus.FAILED:
        async with engine.begin() as conn:
            await record_failed(conn, [draft.payment_guid])
        raise HubError(409, "the payment is FAILED on DCM: it is final and is never "
                       "confirmed, nothing to void", "failed")
    if draft.status is not PaymentStatus.CREATED:
        raise HubError(409, f"the payment is {draft.status.value}: only a draft can be voided")
    if not reason.strip():
        raise HubError(422, "a reason is required")
    v, a = cash_voids.c, cash_authorizations.c
    read_at = now() if read_at is None else read_at
    async with engine.begin() as conn:
        # the owner's till first, as /cash/authorize locks it: an ask to confirm and this
        # void are one after the other, each seeing the other's row
        await lock_till(conn, await owner_of(conn, draft.payment_guid) or emp.email)
        found = (await conn.execute(sa.select(cash_voids).where(
            v.payment_guid == draft.payment_guid))).first()
        if found is not None:
            return void_out(found)
        authorized = (await conn.execute(sa.select(a.teller, a.confirm_asked_at).where(
            a.payment_guid == draft.payment_guid))).first()
        owner = None if authorized is None else str(authorized.teller)
        if not emp.may_act_in(draft.branch_guid):
            raise HubError(403, "the draft is not in your branch")
        if reject:
            if not is_checker(emp):
                raise HubError(403, "only a Supervisor or Administrator rejects a draft")
            if owner == emp.email:
                raise HubError(403, "void your own draft; rejecting is for someone else's")
        elif owner is not None and owner != emp.email:
            raise HubError(403, "only the teller who made the draft voids it "
                           "(a supervisor may reject it)")
        if authorized is not None:
            refuse_if_in_flight(authorized.confirm_asked_at, read_at)
        await lock_requests(conn, draft.payment_guid)
        if await approved(conn, draft.payment_guid):
            raise HubError(409, "a supervisor already approved this draft: it cannot be voided")
        written = await write_void(
            conn, emp, payment_guid=draft.payment_guid, kind="reject" if reject else "void",
            owner=owner or emp.email, reason=reason, branch_guid=draft.branch_guid,
            customer_guid=draft.customer_guid, amount_minor=draft.amount_minor,
            desk_id=desk_id)
        if not written:
            raise HubError(409, "the draft was voided at the same moment")
        row = (await conn.execute(sa.select(cash_voids).where(
            v.payment_guid == draft.payment_guid))).one()
        await close_requests_in(conn, emp, draft.payment_guid, reason, reject, desk_id)
    return void_out(row)


async def lock_requests(conn: AsyncConnection, payment_guid: str) -> None:
    """Lock the draft's cash_confirm requests for the transaction: a decide on one waits for
    it (the executor also re-checks the void before it confirms). Take them before any event
    or audit lock: an approval takes its request, then those."""
    c = commands_table.c
    await conn.execute(commands_table.update().where(
        cash_confirm_requests(payment_guid)).values(state=c.state))


async def approved(conn: AsyncConnection, payment_guid: str) -> bool:
    """A supervisor approved this draft (its confirm may be on its way to DCM): never void."""
    c = commands_table.c
    states = set((await conn.execute(sa.select(c.state).where(
        cash_confirm_requests(payment_guid)))).scalars().all())
    return bool(states & {commands.APPROVED, commands.APPLIED})


async def write_void(conn: AsyncConnection, emp: HubEmployee, *, payment_guid: str, kind: str,
                     owner: str, reason: str, branch_guid: str | None, customer_guid: str,
                     amount_minor: int, desk_id: str) -> bool:
    """The void's row, its ``cash.voided`` event and audit entry; False (nothing written) when
    the draft was voided already."""
    reason = reason.strip()[:300]
    added = await conn.execute(dialect_insert(conn, cash_voids).values(
        payment_guid=payment_guid, kind=kind, actor=emp.email, owner=owner, reason=reason,
        branch_guid=branch_guid, customer_guid=customer_guid, amount_minor=amount_minor,
        created_at=now()).on_conflict_do_nothing())
    if added.rowcount != 1:
        return False
    data = {"payment_guid": payment_guid, "kind": kind, "actor": emp.email, "owner": owner,
            "amount": money(amount_minor), "customer_guid": customer_guid}
    await events.emit(conn, "cash.voided", data, branch_guid=branch_guid,
                      to_supervisors=True, to_email=owner)
    await audit.append(conn, audit.Entry(
        actor=emp.email, action="cash", entity=f"payment:{payment_guid}", desk_id=desk_id,
        branch_guid=branch_guid, detail={**data, "reason": reason}))
    return True


async def close_requests_in(conn: AsyncConnection, emp: HubEmployee, payment_guid: str,
                            reason: str, reject: bool, desk_id: str) -> None:
    """Take the draft's pending cash_confirm requests out of the supervisors' queue
    (withdrawn by their maker, else rejected by a checker) in the void's transaction (its
    requests locked with ``lock_requests``): a void never commits with its request queued."""
    c = commands_table.c
    rows = (await conn.execute(sa.select(c.id, c.maker).where(
        cash_confirm_requests(payment_guid), c.state == commands.PENDING))).all()
    for command_id, maker in rows:
        values: dict[str, Any] = {"decided_at": now()}
        if maker == emp.email:
            values["state"] = commands.WITHDRAWN
        elif reject or is_checker(emp):
            values.update(state=commands.REJECTED, checker=emp.email, checker_source=emp.source,
                          comment=f"voided: {reason.strip()}"[:300])
        else:
            continue
        done = await conn.execute(commands_table.update().where(
            c.id == command_id, c.state == commands.PENDING).values(**values))
        new = await commands.get(conn, command_id) if done.rowcount == 1 else None
        if new is None:
            continue
        withdrawn = new.state == commands.WITHDRAWN
        await events.emit(conn, "request.withdrawn" if withdrawn else "request.rejected",
                          commands.summary(new), branch_guid=new.branch_guid,
                          to_supervisors=True, to_email=new.maker)
        detail: dict[str, Any] = {"withdrawn": True, "desk_id": desk_id} if withdrawn else {
            "decision": "rejected", "sha256": new.sha256, "comment": values["comment"],
            "maker": new.maker, "desk_id": desk_id}
        detail.update(commands.audit_facts(new))
        await audit.append(conn, audit.Entry(
            actor=emp.email, action="request" if withdrawn else "decision",
            entity=f"request:{command_id}", branch_guid=new.branch_guid, detail=detail))


async def listing(engine: AsyncEngine, emp: HubEmployee, payment_guids: list[str],
                  limit: int) -> list[dict[str, Any]]:
    v = cash_voids.c
    query = sa.select(cash_voids).order_by(v.created_at.desc()).limit(limit)
    if payment_guids:
        query = query.where(v.payment_guid.in_(payment_guids))
    if not emp.head_office:
        query = query.where(sa.or_(v.branch_guid == emp.branch_guid, v.owner == emp.email))
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [void_out(r) for r in rows]


async def record_rejected_request(engine: AsyncEngine, emp: HubEmployee, cmd: Any) -> None:
    """A supervisor rejected a ``cash_confirm`` request (the inbox): its draft is voided too,
    so no desk and no later approval can confirm it."""
    guid = str(cmd.change.get("payment_guid", ""))
    if not guid:
        return
    amount_minor = minor_of(cmd.change.get("amount", "0")) or 0
    async with engine.begin() as conn:
        owner = (await conn.execute(sa.select(cash_authorizations.c.teller).where(
            cash_authorizations.c.payment_guid == guid))).scalar_one_or_none()
        # voided already (a teller's void, maybe another process's a moment ago): nothing
        added = await conn.execute(dialect_insert(conn, cash_voids).values(
            payment_guid=guid, kind="reject", actor=emp.email, owner=owner or cmd.maker,
            reason=(cmd.comment or "rejected")[:300], branch_guid=cmd.branch_guid,
            customer_guid=cmd.customer_guid, amount_minor=amount_minor,
            created_at=now()).on_conflict_do_nothing())
        if added.rowcount != 1:
            return
        await audit.append(conn, audit.Entry(
            actor=emp.email, action="cash", entity=f"payment:{guid}",
            branch_guid=cmd.branch_guid,
            detail={"payment_guid": guid, "kind": "reject", "request": cmd.id,
                    "customer_guid": cmd.customer_guid}))
