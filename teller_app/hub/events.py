"""Notifications as rows (monotonic id), so any hub process can stream any event and a
client resumes with ``Last-Event-ID``.

Ids must become visible in order, or a reader that saw id 12 would skip an id 11 committed
later: on PostgreSQL inserts take a transaction-scoped advisory lock (commit order = id
order); SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .fe_tables import events
from .models import HubEmployee
from .task_stop import stop_task

EVENTS_LOCK = 0x7E11E5  # pg_advisory_xact_lock key: event id order
AUDIT_LOCK = 0x7E11A0  # pg_advisory_xact_lock key: audit chain (always taken after EVENTS)
CHECKER_ROLES = ("Supervisor", "Administrator")


def named_lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key for ``name`` ("cash-customer:<guid>"): each kind of lock
    its own prefix, so two kinds never share a key."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


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
    sequence never does anyway. One statement, so no emit can slip in between. It reads
    ``ix_events_ts_ms`` (revision 0014): only the rows it deletes, not the month it keeps."""
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


async def scan(engine: AsyncEngine, bus: EventBus, emp: HubEmployee, cursor: int,
               limit: int) -> tuple[list[Event], int]:
    """One read of a stream: the events ``emp`` may see after ``cursor`` (at most ``limit``)
    and the cursor to scan from next. A scan that returns fewer than ``limit`` saw every id up
    to the bus's ``top`` read before it (ids commit in id order, module docstring), so the
    cursor moves past ids the stream cannot see: an idle stream's next scan starts at the
    newest event, not at the last one it was shown (which re-read a growing range all day)."""
    top = bus.top  # every id up to here was committed before the query below starts
    if not bus.may_see(emp, cursor):  # (read with ``top``, no await between)
        return [], max(cursor, top)
    found = await after(engine, emp, cursor, limit)
    if found:
        cursor = found[-1].id
    if len(found) < limit:
        cursor = max(cursor, top)
    return found, cursor


async def last_id(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        value = (await conn.execute(sa.select(sa.func.max(events.c.id)))).scalar()
    return int(value or 0)


Addressee = tuple[int, str | None, bool, str | None]  # id, branch_guid, to_supervisors, to_email


class EventBus:
    """One poll of the new events per process (``POLL_S``) instead of one query per open
    stream: streams sleep until the table has rows they have not scanned. The poll reads the
    new rows' addressees (not their data), so a stream queries only when one of them is for
    it (``may_see``): an event for another branch wakes every stream but costs no query."""

    POLL_S = 0.2  # cross-process delivery: a new row is seen within this (goal p95 1 s)
    WINDOW = 2000  # the newest rows whose addressees are kept

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.top = 0
        self.floor = 0  # every row in (floor, top] is in _recent, in id order
        self._recent: collections.deque[Addressee] = collections.deque()
        self._poking = asyncio.Lock()
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        with contextlib.suppress(Exception):  # not migrated yet: the loop retries
            self.top = self.floor = await last_id(self.engine)
        self._task = asyncio.create_task(self._run(), name="four-eyes-events")

    async def close(self) -> None:
        await stop_task(self._task)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.poke()
            await asyncio.sleep(self.POLL_S)

    async def poke(self) -> None:
        """Read the new rows now (also called right after this process commits events).
        Rows come in id order and every id up to the newest read is committed (module
        docstring), so (floor, top] holds every row there is in that range."""
        async with self._poking:  # one reader: the window stays in order
            async with self.engine.connect() as conn:
                rows = [(int(r.id), r.branch_guid, bool(r.to_supervisors), r.to_email)
                        for r in await conn.execute(
                            sa.select(events.c.id, events.c.branch_guid,
                                      events.c.to_supervisors, events.c.to_email)
                            .where(events.c.id > self.top).order_by(events.c.id)
                            .limit(self.WINDOW))]
            if not rows:
                return
            if len(rows) == self.WINDOW:  # a burst (or a first start): streams query
                self.top = self.floor = max(rows[-1][0], await last_id(self.engine))
                self._recent.clear()
            else:
                self._recent.extend(rows)
                self.top = rows[-1][0]
                while len(self._recent) > self.WINDOW:
                    self.floor = self._recent.popleft()[0]
        async with self._changed:
            self._changed.notify_all()

    def may_see(self, emp: HubEmployee, cursor: int) -> bool:
        """False only when every row in (cursor, top] is known and none is for ``emp``
        (``visible_to`` in Python: when in doubt, True and the stream queries)."""
        if cursor < self.floor:
            return True
        checker = is_checker(emp)
        for row_id, branch, supervisors, email in reversed(self._recent):
            if row_id <= cursor:
                break
            if email == emp.email or (checker and supervisors and (
                    emp.head_office or branch == emp.branch_guid)):
                return True
        return False

    async def wait_beyond(self, scanned: int, timeout: float) -> None:
        """Return once an id above ``scanned`` exists, or after ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.top > scanned),
                                       timeout)
