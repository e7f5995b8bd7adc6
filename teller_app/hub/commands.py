"""Four-eyes commands (Fineract's maker-checker): a request is a row holding the exact change
as canonical JSON and its SHA-256. It is immutable once filed; only its state moves, and
every move is a conditional UPDATE (``WHERE state = …``) so racing deciders get exactly one
winner. Events and audit entries are written in the same transaction as the move."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit, events
from .customer_serial import (
    ChangeInProgress,
    blocker,
    customer_change_lock_key,
    no_sibling_applying,
)
from .customer_serial import still_pending as _still_pending
from .db import dialect_insert, now
from .events import pg_lock
from .fe_models import Kind, reason_as_typed
from .fe_tables import commands
from .models import HubEmployee

PENDING, APPROVED, APPLIED, FAILED = "pending", "approved", "applied", "failed"
# A command's result when the hub's own write was answered. For a cash_confirm that means the
# draft read just before was CREATED and its customer's status passed
# (``execute_cash.check_before_confirm``): the cash watcher trusts only this result
# (``cash_commands.hub_confirmed``)
APPLIED_RESULT = "applied"
# A cash_confirm whose confirm had no answer, DCM then showing the draft confirmed: a desk's
# confirm may be the one DCM applied (or the deadline ended before the status was read)
FOUND_CONFIRMED_AFTER_NO_ANSWER = "applied (found on DCM after no answer)"
REJECTED, WITHDRAWN = "rejected", "withdrawn"
STATES = (PENDING, APPROVED, APPLIED, FAILED, REJECTED, WITHDRAWN)


@dataclass(frozen=True)
class Command:
    id: str
    kind: str
    customer_guid: str
    branch_guid: str | None
    change_json: str
    sha256: str
    before: dict[str, Any]
    maker: str
    reason: str
    created_at: int
    state: str
    checker: str | None
    checker_source: str | None
    decided_at: int | None
    comment: str | None
    execution_started_at: int | None
    finished_at: int | None
    result: str | None

    @property
    def change(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.change_json)
        return value

    def out(self, reasons: list[str] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "customer_guid": self.customer_guid,
            "branch_guid": self.branch_guid, "change": self.change,
            "change_json": self.change_json, "sha256": self.sha256, "before": self.before,
            "maker": self.maker, "reason": self.reason, "created_at": self.created_at,
            "state": self.state, "checker": self.checker, "decided_at": self.decided_at,
            "comment": self.comment, "execution_started_at": self.execution_started_at,
            "finished_at": self.finished_at, "result": self.result}
        if reasons is not None:
            data["policy_reasons"] = reasons
        return data


# Requests about a customer (a field change, a cash confirmation): their audit rows carry the
# change itself, so the trail says what was asked and decided, not only its hash. A bank
# setting's request (the whole document) is recorded when it is applied (``policy`` rows).
CUSTOMER_KINDS: tuple[str, ...] = get_args(Kind)


LIMIT = "balance_allowed"  # a customer's allowed balance (limit) ...
LIMIT_ASSET = "balance_asset_code"  # ... and its currency


def limit_asked_alone(change: dict[str, Any]) -> bool:
    """A limit without its currency: the request keeps the currency at filing (``before``),
    judges the approval against it (``customer_drift``) and its audit rows name it."""
    return LIMIT in change and LIMIT_ASSET not in change


def audit_facts(cmd: Command) -> dict[str, Any]:
    """What a request's and a decision's audit rows say about the change: its customer and
    the change (field and new value, or the cash amount); a limit asked alone also its
    currency at filing (``before``), so the trail words it in that currency and not in a
    hryvnia the customer may not have. New keys of the detail: the chain hashes each row's
    detail as written, so older rows without them still verify."""
    facts: dict[str, Any] = {"kind": cmd.kind}
    if cmd.customer_guid:
        facts["customer_guid"] = cmd.customer_guid
    if cmd.kind in CUSTOMER_KINDS:
        facts["change"] = cmd.change
        facts.update(kept_currency(cmd))
    return facts


def kept_currency(cmd: Command) -> dict[str, Any]:
    """``{"before": {currency}}`` for a limit asked alone whose currency was kept at filing
    (only the currency: no more of the record), else {}: the request's rows and its
    execution's (a "changed since filing" result names the limit) read in that currency."""
    asset = (cmd.before or {}).get(LIMIT_ASSET)
    if cmd.kind in CUSTOMER_KINDS and limit_asked_alone(cmd.change) and asset:
        return {"before": {LIMIT_ASSET: asset}}
    return {}


def _from_row(r: Any) -> Command:
    return Command(r.id, r.kind, r.customer_guid, r.branch_guid, r.change_json,
                   r.change_sha256, json.loads(r.before_json or "{}"), r.maker, r.reason,
                   r.created_at, r.state, r.checker, r.checker_source, r.decided_at, r.comment,
                   r.execution_started_at, r.finished_at, r.result)


def summary(cmd: Command) -> dict[str, Any]:
    """What an event carries: enough for an inbox row without a second request (a limit
    asked alone: its currency at filing, which a "changed since filing" result names)."""
    return {"request_id": cmd.id, "request_kind": cmd.kind, "customer_guid": cmd.customer_guid,
            "branch_guid": cmd.branch_guid, "maker": cmd.maker, "state": cmd.state,
            "checker": cmd.checker, "sha256": cmd.sha256, "result": cmd.result,
            **kept_currency(cmd)}


async def get(engine_or_conn: AsyncEngine | AsyncConnection, command_id: str) -> Command | None:
    query = sa.select(commands).where(commands.c.id == command_id)
    if isinstance(engine_or_conn, AsyncConnection):
        row = (await engine_or_conn.execute(query)).first()
    else:
        async with engine_or_conn.connect() as conn:
            row = (await conn.execute(query)).first()
    return _from_row(row) if row is not None else None


async def file(engine: AsyncEngine, *, command_id: str | None, kind: str, customer_guid: str,
               branch_guid: str | None, change_json: str, sha256: str,
               before: dict[str, Any], maker: HubEmployee, reason: str,
               desk_id: str) -> tuple[Command, bool]:
    """Insert a pending command; (command, created). A retry with the same id, maker and
    change returns the stored one; any other reuse of an id is refused by the caller.
    ``reason`` is checked here, where every filing passes (422): a supervisor reads it."""
    reason_as_typed(reason)
    cid = command_id or str(uuid.uuid4())
    async with engine.begin() as conn:
        # INSERT first (no read before the write: SQLite would refuse to upgrade the snapshot)
        done = await conn.execute(dialect_insert(conn, commands).values(
            id=cid, kind=kind, customer_guid=customer_guid, branch_guid=branch_guid,
            change_json=change_json, change_sha256=sha256,
            before_json=json.dumps(before, ensure_ascii=False), maker=maker.email,
            reason=reason, created_at=now(), state=PENDING).on_conflict_do_nothing(
                index_elements=["id"]))
        cmd = await get(conn, cid)
        assert cmd is not None
        if done.rowcount != 1:
            return cmd, False
        await events.emit(conn, "request.filed", summary(cmd), branch_guid=branch_guid,
                          to_supervisors=True, to_email=maker.email)
        await audit.append(conn, audit.Entry(
            actor=maker.email, action="request", entity=f"request:{cid}",
            branch_guid=branch_guid,
            detail={"kind": kind, "customer_guid": customer_guid, "sha256": sha256,
                    "reason": reason, "desk_id": desk_id,
                    **audit_facts(cmd)}))
    return cmd, True


async def decide(engine: AsyncEngine, cmd: Command, checker: HubEmployee, *, approve: bool,
                 sha256: str | None, comment: str, desk_id: str) -> Command | None:
    """pending → approved (execution starts now) | rejected, in one conditional UPDATE.
    None: another decision (or a withdrawal) won the race. An approval of a customer change
    while another on the same customer is approved and not ended: ``ChangeInProgress`` (at
    most one executes per customer, so a second is judged after the first's write; checked
    in the UPDATE itself: under SQLite's write lock, under a per-customer advisory lock on
    PostgreSQL, where two READ COMMITTED checks could otherwise both pass), naming the
    blocker as far as ``checker`` may read it (``customer_serial.blocker``)."""
    t = now()
    values: dict[str, Any] = {"state": APPROVED if approve else REJECTED,
                              "checker": checker.email, "checker_source": checker.source,
                              "decided_at": t, "comment": comment}
    if approve:
        values["execution_started_at"] = t
    cond = [commands.c.id == cmd.id, commands.c.state == PENDING]
    if sha256 is not None:
        cond.append(commands.c.change_sha256 == sha256)
    one_at_a_time = approve and cmd.kind == "customer_update" and bool(cmd.customer_guid)
    if one_at_a_time:
        cond.append(no_sibling_applying(cmd.customer_guid, cmd.id))
    async with engine.begin() as conn:
        if one_at_a_time:  # PG only (the UPDATE is SQLite's first statement: no stale read)
            await pg_lock(conn, customer_change_lock_key(cmd.customer_guid))
        done = await conn.execute(commands.update().where(*cond).values(**values))
        if done.rowcount != 1:
            if one_at_a_time and await _still_pending(conn, cmd.id, PENDING, sha256):
                raise ChangeInProgress(await blocker(conn, cmd.customer_guid, cmd.id, checker))
            return None
        new = await get(conn, cmd.id)
        assert new is not None
        kind = "request.approved" if approve else "request.rejected"
        await events.emit(conn, kind, summary(new), branch_guid=new.branch_guid,
                          to_supervisors=True, to_email=new.maker)
        await audit.append(conn, audit.Entry(
            actor=checker.email, action="decision", entity=f"request:{cmd.id}",
            branch_guid=new.branch_guid,
            detail={"decision": "approved" if approve else "rejected", "sha256": new.sha256,
                    "comment": comment, "maker": new.maker, "desk_id": desk_id,
                    **audit_facts(new)}))
    return new


async def withdraw(engine: AsyncEngine, cmd: Command, maker: HubEmployee,
                   desk_id: str) -> Command | None:
    async with engine.begin() as conn:
        done = await conn.execute(commands.update().where(
            commands.c.id == cmd.id, commands.c.state == PENDING,
            commands.c.maker == maker.email).values(state=WITHDRAWN, decided_at=now()))
        if done.rowcount != 1:
            return None
        new = await get(conn, cmd.id)
        assert new is not None
        await events.emit(conn, "request.withdrawn", summary(new), branch_guid=new.branch_guid,
                          to_supervisors=True, to_email=new.maker)
        await audit.append(conn, audit.Entry(
            actor=maker.email, action="request", entity=f"request:{cmd.id}",
            branch_guid=new.branch_guid,
            detail={"withdrawn": True, "desk_id": desk_id,
                    **audit_facts(new)}))
    return new


async def claim_execution(engine: AsyncEngine, command_id: str,
                          stale_before: int) -> int | None:
    """Take over an approved command whose execution marker is older than ``stale_before``
    (its executor died: a live one renews it): the new marker, or None when the command is
    not stale (or another resumer took it first)."""
    marker = now()
    async with engine.begin() as conn:
        done = await conn.execute(commands.update().where(
            commands.c.id == command_id, commands.c.state == APPROVED,
            commands.c.execution_started_at <= stale_before).values(
                execution_started_at=marker))
    return marker if done.rowcount == 1 else None


async def renew_execution(engine: AsyncEngine, command_id: str, marker: int) -> int | None:
    """Renew a running execution's marker; None when the command is no longer approved or
    another process took it over (the marker moved)."""
    fresh = now()
    async with engine.begin() as conn:
        done = await conn.execute(commands.update().where(
            commands.c.id == command_id, commands.c.state == APPROVED,
            commands.c.execution_started_at == marker).values(execution_started_at=fresh))
    return fresh if done.rowcount == 1 else None


async def finish(engine: AsyncEngine, cmd: Command, *, applied: bool, result: str,
                 actor: str, extra: dict[str, Any] | None = None) -> Command | None:
    """approved → applied | failed with the platform's message (once). ``actor``: in whose
    name it ran (the approver, or who resumed it: ``extra`` then says so)."""
    async with engine.begin() as conn:
        return await finish_on(conn, cmd, applied=applied, result=result, actor=actor,
                               extra=extra)


async def finish_on(conn: AsyncConnection, cmd: Command, *, applied: bool, result: str,
                    actor: str, extra: dict[str, Any] | None = None) -> Command | None:
    """``finish`` inside the caller's transaction (a hub-local change is written in the same
    one: applied and recorded, or neither)."""
    state = APPLIED if applied else FAILED
    done = await conn.execute(commands.update().where(
        commands.c.id == cmd.id, commands.c.state == APPROVED).values(
            state=state, finished_at=now(), result=result[:1000]))
    if done.rowcount != 1:
        return None
    new = await get(conn, cmd.id)
    assert new is not None
    await events.emit(conn, f"request.{state}", summary(new), branch_guid=new.branch_guid,
                      to_supervisors=True, to_email=new.maker)
    await audit.append(conn, audit.Entry(
        actor=actor, action="execution", entity=f"request:{cmd.id}",
        branch_guid=new.branch_guid,
        detail={**(extra or {}), **kept_currency(new), "state": state,
                "result": result[:1000], "sha256": new.sha256,
                "customer_guid": new.customer_guid}))
    return new


async def pending_twin(engine: AsyncEngine, kind: str, sha256: str,
                       maker: str) -> Command | None:
    """The maker's pending request of this kind for exactly this change (a re-sent PUT of a
    bank setting answers it rather than filing a second)."""
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(commands).where(
            commands.c.kind == kind, commands.c.change_sha256 == sha256,
            commands.c.maker == maker, commands.c.state == PENDING).limit(1))).first()
    return _from_row(row) if row is not None else None


async def report_interrupted(engine: AsyncEngine, cmd: Command, message: str) -> bool:
    """Tell supervisors (once) that an approved change could not be resumed by the hub, and
    its maker, who was told "approved" (the approver, a checker, sees supervisors' events)."""
    async with engine.begin() as conn:
        done = await conn.execute(commands.update().where(
            commands.c.id == cmd.id, commands.c.state == APPROVED,
            commands.c.interrupted_reported_at.is_(None)).values(
                interrupted_reported_at=now(), result=message[:1000],
                execution_started_at=0))  # released: an approver's resume may take it
        if done.rowcount != 1:
            return False
        await events.emit(conn, "request.interrupted", {**summary(cmd), "result": message},
                          branch_guid=cmd.branch_guid, to_supervisors=True,
                          to_email=cmd.maker)
    return True


async def stale_approved(engine: AsyncEngine, stale_before: int) -> list[Command]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(commands).where(
            commands.c.state == APPROVED, commands.c.interrupted_reported_at.is_(None),
            commands.c.execution_started_at <= stale_before).limit(100))).all()
    return [_from_row(r) for r in rows]


def scope(emp: HubEmployee) -> sa.ColumnElement[bool]:
    """Requests an employee may see: their own; checkers also their branch's (all: head
    office)."""
    own = commands.c.maker == emp.email
    if not events.is_checker(emp):
        return own
    if emp.head_office:
        return sa.true()
    return sa.or_(own, commands.c.branch_guid == emp.branch_guid)


async def listing(engine: AsyncEngine, emp: HubEmployee, *, states: list[str],
                  mine: bool, customer_guid: str | None, limit: int,
                  before: int | None, before_id: str | None = None) -> list[Command]:
    """Newest first: ``created_at`` descending, then ``id``. ``before`` alone: rows created in
    an earlier second. ``before`` + ``before_id`` (the last row of a page): the keyset after
    that row, so paging never skips or repeats rows filed in the same second."""
    cond = [scope(emp)]
    if states:
        cond.append(commands.c.state.in_(states))
    if mine:
        cond.append(commands.c.maker == emp.email)
    if customer_guid:
        cond.append(commands.c.customer_guid == customer_guid)
    if before is not None and before_id is not None:
        cond.append(sa.or_(commands.c.created_at < before, sa.and_(
            commands.c.created_at == before, commands.c.id > before_id)))
    elif before is not None:
        cond.append(commands.c.created_at < before)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(commands).where(*cond).order_by(
            commands.c.created_at.desc(), commands.c.id).limit(limit))).all()
    return [_from_row(r) for r in rows]


async def explaining(engine: AsyncEngine, customer_guid: str, since: int) -> list[Command]:
    """Approved/applied commands on a customer decided since ``since`` (the watcher's
    evidence that a platform change was approved)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(commands).where(
            commands.c.customer_guid == customer_guid,
            commands.c.state.in_([APPROVED, APPLIED]),
            commands.c.decided_at >= since))).all()
    return [_from_row(r) for r in rows]
