"""Notifications as rows (monotonic id), so any hub process can stream any event and a
client resumes with ``Last-Event-ID``.

Ids must become visible in order, or a reader that saw id 12 would skip an id 11 committed
later: on PostgreSQL inserts take a transaction-scoped advisory lock (commit order = id
order); SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .fe_tables import events
from .models import HubEmployee

EVENTS_LOCK = 0x7E11E5  # pg_advisory_xact_lock key: event id order
AUDIT_LOCK = 0x7E11A0  # pg_advisory_xact_lock key: audit chain (always taken after EVENTS)
CHECKER_ROLES = ("Supervisor", "Administrator")


async def pg_lock(conn: AsyncConnection, key: int) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


@dataclass(frozen=True)
class Event:
    id: int
    ts_ms: int
    kind: str
    data: dict[str, Any]

    def sse(self) -> dict[str, str]:
        return {"id": str(self.id), "event": self.kind,
                "data": json.dumps(self.out(), ensure_ascii=False)}

    def out(self) -> dict[str, Any]:
        return {**self.data, "id": self.id, "kind": self.kind, "ts_ms": self.ts_ms}


async def emit(conn: AsyncConnection, kind: str, data: dict[str, Any], *,
               branch_guid: str | None = None, to_supervisors: bool = False,
               to_email: str | None = None) -> None:
    """Add an event inside the caller's transaction (it shows when that commits)."""
    await pg_lock(conn, EVENTS_LOCK)
    await conn.execute(events.insert().values(
        ts_ms=int(time.time() * 1000), kind=kind, branch_guid=branch_guid,
        to_supervisors=to_supervisors, to_email=to_email,
        data=json.dumps(data, ensure_ascii=False)))


async def prune(engine: AsyncEngine, before_ms: int) -> int:
    """Delete the events older than ``before_ms``, except the newest row, and return how
    many went. That row stays because SQLite's INTEGER PRIMARY KEY (no AUTOINCREMENT) hands
    out max(id) + 1: an emptied table would restart ids at 1, and every stream and desk that
    follows "id > cursor" would miss new events until the ids passed its cursor. With the
    newest row kept (this is the table's only delete) ids never go back; PostgreSQL's
    sequence never does anyway. One statement, so no emit can slip in between."""
    newest = sa.select(sa.func.max(events.c.id)).scalar_subquery()
    async with engine.begin() as conn:
        result = await conn.execute(
            events.delete().where(events.c.ts_ms < before_ms, events.c.id < newest))
    return int(result.rowcount)


def is_checker(emp: HubEmployee) -> bool:
    return any(r in CHECKER_ROLES for r in emp.roles)


def visible_to(emp: HubEmployee) -> sa.ColumnElement[bool]:
    mine = events.c.to_email == emp.email
    if not is_checker(emp):
        return mine
    if emp.head_office:
        return sa.or_(mine, events.c.to_supervisors.is_(True))
    return sa.or_(mine, sa.and_(events.c.to_supervisors.is_(True),
                                events.c.branch_guid == emp.branch_guid))


async def after(engine: AsyncEngine, emp: HubEmployee, last_id: int,
                limit: int = 200) -> list[Event]:
    async with engine.connect() as conn:
        rows = (await conn.execute(
            sa.select(events).where(events.c.id > last_id, visible_to(emp))
            .order_by(events.c.id).limit(limit))).all()
    return [Event(r.id, r.ts_ms, r.kind, json.loads(r.data)) for r in rows]


async def last_id(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        value = (await conn.execute(sa.select(sa.func.max(events.c.id)))).scalar()
    return int(value or 0)


class EventBus:
    """One poll of the newest event id per process (``POLL_S``) instead of one query per
    open stream: streams sleep until the table has rows they have not scanned."""

    POLL_S = 0.2  # cross-process delivery: a new row is seen within this (goal p95 1 s)

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.top = 0
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        with contextlib.suppress(Exception):  # not migrated yet: the loop retries
            self.top = await last_id(self.engine)
        self._task = asyncio.create_task(self._run(), name="four-eyes-events")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.poke()
            await asyncio.sleep(self.POLL_S)

    async def poke(self) -> None:
        """Read the newest id now (also called right after this process commits events)."""
        newest = await last_id(self.engine)
        if newest > self.top:
            self.top = newest
            async with self._changed:
                self._changed.notify_all()

    async def wait_beyond(self, scanned: int, timeout: float) -> None:
        """Return once an id above ``scanned`` exists, or after ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.top > scanned),
                                       timeout)
