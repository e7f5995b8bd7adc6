"""Audit chain, live events (SSE with Last-Event-ID resume) and unapproved-change alerts."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection
from sse_starlette import EventSourceResponse

from . import audit, events
from .audit_pages import page_reply, time_window
from .authn import (
    HUB_TOKEN,
    READ_ONLY_ROLES,
    CurrentEmployee,
    bearer_token,
    current_employee,
    hub_state,
)
from .canon import normalise
from .contract import Error, PathInt, QueryInt, errors
from .db import now
from .errors import HubError
from .events import is_checker
from .fe_models import AckIn, AuditIn
from .fe_runtime import runtime
from .fe_tables import alerts, audit_log
from .models import HubEmployee

router = APIRouter(prefix="/api/v1", tags=["audit and events"])
log = logging.getLogger("teller_hub")
LIMIT = 200
# GET /audit stops adding rows past this many bytes (a row's detail + ROW_OVERHEAD for its
# other fields) and answers ``next_after_seq``: entries written before details were capped
# (fe_models.AUDIT_DETAIL_MAX_BYTES) could be megabytes each.
PAGE_BYTES = 2 * 1024 * 1024
ROW_OVERHEAD = 1024
VERIFY_REUSE_S = 60.0
RECHECK_S = 30.0  # a stream ends within this after sign-out or disabling
STREAM_RETRY_MAX_S = 5.0  # a stream retries the database at least this often while it is down
STREAM_DB_ERRORS = (sa.exc.SQLAlchemyError, OSError, TimeoutError)
# an open alert acknowledged (a newer hub's; desks that do not know the kind ignore it)
ALERT_ACKNOWLEDGED = "alert.acknowledged"


@router.post("/audit", summary="Append a desk's actions (in order; client_id dedupes retries)",
             responses=errors(409))
async def append_audit(body: AuditIn, request: Request, emp: CurrentEmployee) -> dict[str, Any]:
    if normalise(body.desk_id) == audit.HUB:  # NFKC first: "ｈｕｂ" is "hub" to a reader
        raise HubError(422, f"desk_id {audit.HUB!r} is reserved for the hub's own entries")
    out = []
    try:
        async with hub_state(request).engine.begin() as conn:
            for item in body.entries:
                detail, action = dict(item.detail), item.action
                if action in audit.LEGACY_DESK_ACTIONS:
                    detail.setdefault("event", action)
                    action = "other"
                if item.desk_ts:
                    detail["desk_ts"] = item.desk_ts
                seq, digest = await audit.append(conn, audit.Entry(
                    actor=emp.email, action=action, entity=item.entity, detail=detail,
                    desk_id=body.desk_id, branch_guid=emp.branch_guid,
                    client_id=item.client_id))
                out.append({"client_id": item.client_id, "seq": seq, "hash": digest})
    except audit.ClientIdTaken as exc:  # the whole batch is rolled back
        raise HubError(409, f"client_id {exc} is another employee's entry",
                       "client_id_taken") from None
    return {"appended": out}


def is_auditor(emp: HubEmployee) -> bool:
    """The platform's read-only Auditor (role names match as ``authn`` reads them)."""
    return any(r.strip().lower() in READ_ONLY_ROLES for r in emp.roles)


def _audit_scope(emp: HubEmployee) -> sa.ColumnElement[bool]:
    if is_auditor(emp):  # reads the whole trail, as IT's archive job does; writes nothing
        return sa.true()
    if not is_checker(emp):
        return audit_log.c.actor == emp.email
    if emp.head_office:
        return sa.true()
    return audit_log.c.branch_guid == emp.branch_guid


@router.get("/audit", summary="Audit entries (checkers: branch; head office and auditors: all; "
            "else own); oldest first from after_seq, or newest_first below before_seq; "
            "a page ends early at PAGE_BYTES: continue from next_after_seq / next_before_seq")
async def list_audit(
    request: Request, emp: CurrentEmployee,
    branch_guid: str | None = None, actor: str | None = None,
    action: Annotated[list[str] | None, Query()] = None,
    since_ms: QueryInt | None = None, until_ms: QueryInt | None = None,
    after_seq: QueryInt = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    newest_first: bool = False, before_seq: QueryInt | None = None,
) -> dict[str, Any]:
    seq = audit_log.c.seq
    cond = [_audit_scope(emp)]
    if branch_guid:
        cond.append(audit_log.c.branch_guid == branch_guid)
    if actor:
        cond.append(audit_log.c.actor == actor.strip().lower())
    if action:
        cond.append(audit_log.c.action.in_(action))
    # one lower and one upper seq bound (a planner ranges its index scan on one of each)
    low, high = after_seq + 1, None
    if newest_first and before_seq is not None:
        high = before_seq - 1
    order = seq.desc() if newest_first else seq
    async with hub_state(request).engine.connect() as conn:
        window = await time_window(conn, since_ms, until_ms)
        if window is None:  # no row at all in the time window
            return page_reply([], None, newest_first)
        cond += window.cond
        low = max(low, window.low)
        if window.high is not None:
            high = window.high if high is None else min(high, window.high)

        def between(lo: int, hi: int | None) -> list[sa.ColumnElement[bool]]:
            return [seq >= lo] if hi is None else [seq >= lo, seq <= hi]
        # sizes first (one more row than asked: is there more?), then only the rows that fit
        sizes = (await conn.execute(
            sa.select(seq, _stored_bytes(conn).label("size")).where(*cond, *between(low, high))
            .order_by(order).limit(limit + 1))).all()
        taken = _fitting(sizes[:limit])
        if taken:
            # both ends from the sizes read: a row committed since cannot enter the page
            last, first = int(sizes[taken - 1].seq), int(sizes[0].seq)
            low, high = (last, first) if newest_first else (first, last)
        rows = (await conn.execute(
            sa.select(audit_log).where(*cond, *between(low, high))
            .order_by(order).limit(taken))).all() if taken else []
    more = len(sizes) > taken
    return page_reply(rows, int(rows[-1].seq) if more and rows else None, newest_first)


def _stored_bytes(conn: AsyncConnection) -> sa.ColumnElement[int]:
    """A row's size as stored: its detail's UTF-8 bytes (the rest of a row is bounded)."""
    if conn.dialect.name == "postgresql":
        return sa.func.octet_length(audit_log.c.detail)
    return sa.func.length(sa.cast(audit_log.c.detail, sa.LargeBinary))


def _fitting(sizes: Sequence[sa.Row[Any]]) -> int:
    """How many leading rows fit in PAGE_BYTES (at least one, so a page always moves on)."""
    total = 0
    for n, row in enumerate(sizes):
        total += int(row.size or 0) + ROW_OVERHEAD
        if total > PAGE_BYTES and n:
            return n
    return len(sizes)


async def _auditor(request: Request) -> bool:
    """The admin token (IT's archive job: True) or a Supervisor/Administrator/Auditor
    session."""
    token = bearer_token(request)
    if hmac.compare_digest(token.encode(), hub_state(request).admin_token.encode()):
        return True
    emp = await current_employee(request)
    if not (is_checker(emp) or is_auditor(emp)):
        raise HubError(403, "only a Supervisor, an Administrator, an Auditor or IT may verify "
                       "the audit")
    return False


Archived = tuple[int, str] | None


@dataclass
class _VerifyGate:
    """One chain walk at a time in this process; an employee gets a walk's verdict again for
    VERIFY_REUSE_S, and walks anew (for another archived head) at most that often. IT's
    admin token always walks (its checks must see the chain as it is now)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    verdicts: dict[Archived, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    employee_walked: float = -VERIFY_REUSE_S

    def recent(self, key: Archived) -> dict[str, Any] | None:
        found = self.verdicts.get(key)
        return found[1] if found and time.monotonic() - found[0] < VERIFY_REUSE_S else None

    def keep(self, key: Archived, verdict: dict[str, Any]) -> None:
        t = time.monotonic()
        self.verdicts = {k: v for k, v in self.verdicts.items() if t - v[0] < VERIFY_REUSE_S}
        self.verdicts[key] = (t, verdict)
        if key is not None and verdict["ok"]:  # the plain walk would say the same
            self.verdicts[None] = (t, verdict)


def _verify_gate(request: Request) -> _VerifyGate:
    gate = getattr(request.app.state, "audit_verify_gate", None)
    if not isinstance(gate, _VerifyGate):
        gate = _VerifyGate()
        request.app.state.audit_verify_gate = gate
    return gate


@router.get("/audit/verify", summary="Walk the chain; optionally against an archived head "
            f"(a Supervisor's answer may be up to {int(VERIFY_REUSE_S)} s old: checked_at_ms)",
            dependencies=[Depends(HUB_TOKEN)], response_model=None,
            responses={429: {"model": Error, "description": "Another walk ran moments ago: "
                             "wait Retry-After seconds"}})
async def verify_audit(request: Request, head_seq: QueryInt | None = None,
                       head_hash: str | None = None) -> dict[str, Any] | JSONResponse:
    it = await _auditor(request)
    archived = (head_seq, head_hash.lower()) if head_seq is not None and head_hash else None
    gate = _verify_gate(request)
    if not it and (verdict := gate.recent(archived)) is not None:
        return verdict
    async with gate.lock:
        if not it:
            if (verdict := gate.recent(archived)) is not None:  # walked while we waited
                return verdict
            wait = gate.employee_walked + VERIFY_REUSE_S - time.monotonic()
            if wait > 0:
                return JSONResponse(
                    {"error": "the audit chain was walked moments ago; try again later",
                     "code": "audit_verify_busy"}, 429,
                    headers={"Retry-After": str(math.ceil(wait))})
            gate.employee_walked = time.monotonic()
        verdict = {**(await audit.verify(hub_state(request).engine, archived)).out(),
                   "checked_at_ms": int(time.time() * 1000)}
        gate.keep(archived, verdict)
    return verdict


@router.get("/audit/head", summary="The chain head at the end of a UTC day, for IT to archive",
            dependencies=[Depends(HUB_TOKEN)])
async def audit_head(request: Request, date_: Annotated[str | None, Query(alias="date")] = None
                     ) -> dict[str, Any]:
    await _auditor(request)
    try:
        day = date.fromisoformat(date_) if date_ else None
    except ValueError:
        raise HubError(422, "date must be YYYY-MM-DD") from None
    return await audit.head(hub_state(request).engine, day)


# --- events --------------------------------------------------------------------------------
def _start_id(request: Request, after: int | None) -> int | None:
    raw = request.headers.get("last-event-id", "").strip()
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            raise HubError(422, "Last-Event-ID must be an event id")
        return int(raw)
    return after


@router.get("/events", summary="Server-sent events for you (resume with Last-Event-ID)")
async def stream_events(request: Request, emp: CurrentEmployee,
                        after: QueryInt | None = None) -> EventSourceResponse:
    state = hub_state(request)
    start = _start_id(request, after)
    newest = await events.last_id(state.engine)
    # A cursor past the newest id: the database was replaced (a restore, a new embedded
    # file) and ids restarted lower; from the newest, or nothing is heard until ids pass it.
    last = newest if start is None else min(start, newest)

    bus = runtime(request).bus

    async def gen() -> AsyncIterator[dict[str, str]]:
        nonlocal last, emp
        checked = time.monotonic()
        # with its id: an EventSource resumes from here, not from a cursor the hub passed by
        yield {"id": str(last), "event": "ready",
               "data": json.dumps({"last_event_id": last})}
        failures = 0
        while True:
            try:
                found, cursor = await events.scan(state.engine, bus, emp, last, LIMIT)
                if len(found) < LIMIT and time.monotonic() - checked > RECHECK_S:
                    try:
                        emp = await current_employee(request)
                    except HubError:
                        return  # signed out or disabled: the stream ends
                    checked = time.monotonic()
            except STREAM_DB_ERRORS as exc:
                # the database is down: keep the stream open (pings go on) and try again
                if failures == 0:
                    log.warning("event stream: database error, retrying",
                                extra={"error": type(exc).__name__})
                failures += 1
                await asyncio.sleep(min(STREAM_RETRY_MAX_S, 0.5 * 2 ** min(failures, 6)))
                continue
            failures = 0
            for ev in found:
                yield ev.sse()
            last = cursor
            if len(found) < LIMIT:
                await bus.wait_beyond(last, RECHECK_S)

    return EventSourceResponse(gen(), ping=15, headers={"Cache-Control": "no-store"})


@router.get("/events/list", summary="The same events as JSON (clients that cannot stream)")
async def list_events(request: Request, emp: CurrentEmployee, after: QueryInt = 0,
                      limit: Annotated[int, Query(ge=1, le=500)] = 200) -> dict[str, Any]:
    engine = hub_state(request).engine
    found = await events.after(engine, emp, after, limit)
    if found:
        return {"events": [e.out() for e in found], "last_event_id": found[-1].id}
    # as the stream: a cursor past the newest id (a replaced database) goes back to it
    return {"events": [], "last_event_id": min(after, await events.last_id(engine))}


# --- alerts --------------------------------------------------------------------------------
def _alert_scope(emp: HubEmployee) -> sa.ColumnElement[bool]:
    """The alerts ``emp`` may see: every one (head office) or their branch's, as an
    equality (``branch_guid = ?``, ``IS NULL`` for none) that ``ix_alerts_branch_guid_state_id``
    serves."""
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator sees alerts")
    return sa.true() if emp.head_office else alerts.c.branch_guid == emp.branch_guid


@router.get("/alerts", summary="Changed-without-approval alerts (checkers: their branch)",
            description="Newest first, at most ``limit``; ``more`` says the list was cut "
            "off: the next page is ``before_id=next_before_id`` (older alerts only).")
async def list_alerts(request: Request, emp: CurrentEmployee,
                      state: str | None = "open",
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      before_id: QueryInt | None = None) -> dict[str, Any]:
    cond = [_alert_scope(emp)]
    if state:
        cond.append(alerts.c.state == state)
    if before_id is not None:
        cond.append(alerts.c.id < before_id)
    async with hub_state(request).engine.connect() as conn:  # one more: is there a next page
        rows = (await conn.execute(sa.select(alerts).where(*cond)
                                   .order_by(alerts.c.id.desc()).limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"alerts": [{"id": r.id, "customer_guid": r.customer_guid,
                        "branch_guid": r.branch_guid, "detected_at": r.detected_at,
                        "state": r.state, "acknowledged_by": r.acknowledged_by,
                        "comment": r.comment, **json.loads(r.detail)} for r in rows],
            "more": more, "next_before_id": rows[-1].id if more else None}


@router.post("/alerts/{alert_id}/ack", summary="Acknowledge an alert",
             responses=errors(409))
async def ack_alert(alert_id: PathInt, body: AckIn, request: Request,
                    emp: CurrentEmployee) -> dict[str, Any]:
    async with hub_state(request).engine.begin() as conn:
        done = await conn.execute(alerts.update().where(
            alerts.c.id == alert_id, alerts.c.state == "open", _alert_scope(emp)).values(
                state="acknowledged", acknowledged_by=emp.email, acknowledged_at=now(),
                comment=body.comment))
        if done.rowcount != 1:
            raise HubError(409, "no such open alert in your branch")
        # to those its alert.unapproved_change|cash went to (its branch's supervisors, head
        # office), in this transaction: it shows only if the acknowledgement commits. Events
        # before the audit row (the EVENTS lock is always taken before AUDIT's)
        branch = (await conn.execute(sa.select(alerts.c.branch_guid)
                                     .where(alerts.c.id == alert_id))).scalar()
        await events.emit(conn, ALERT_ACKNOWLEDGED,
                          {"alert_id": alert_id, "branch_guid": branch,
                           "acknowledged_by": emp.email},
                          branch_guid=branch, to_supervisors=True)
        await audit.append(conn, audit.Entry(
            actor=emp.email, action="alert", entity=f"alert:{alert_id}",
            # the alert's branch (head office acknowledging one: that branch's trail shows it)
            branch_guid=branch, detail={"acknowledged": True, "comment": body.comment}))
    await runtime(request).bus.poke()  # this process's streams see it at once
    return {"id": alert_id, "state": "acknowledged"}
