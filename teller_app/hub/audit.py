"""The hub's append-only audit chain.

Each entry's ``hash`` = SHA-256 of ``prev_hash`` + "\\n" + the canonical JSON of the entry
(seq, ts_ms, actor, desk_id, branch_guid, action, entity, detail). Appenders serialise on
the chain head: a PostgreSQL advisory lock, and on SQLite a write to ``audit_lock`` as the
transaction's first statement (the equivalent of BEGIN IMMEDIATE), so two hub processes never
fork the chain. Verification walks the chain; a daily head (seq + hash) archived by IT shows
truncation and whole-chain rewrites, which an internal walk cannot.

Desks append their own actions (``DESK_ACTIONS``); the hub alone writes requests, decisions,
executions, alerts, policy and its security events (sign-ins, employees, secrets, refused
decisions, proxied writes) under ``desk_id`` "hub". What an outsider can repeat at will goes
through ``append_limited``, so a flood adds a bounded number of rows.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .canon import canonical, sha256_hex
from .events import AUDIT_LOCK, pg_lock
from .fe_tables import audit_lock, audit_log

GENESIS = "0" * 64
HUB = "hub"  # desk_id of the entries the hub writes itself; desks may not use it
# What a desk may record (POST /audit): the values of the desk's core/audit.HUB_ACTION.
DeskAction = Literal["sign_in", "sign_out", "lock", "unlock", "create", "edit", "cash", "till",
                     "other"]
DESK_ACTIONS: tuple[str, ...] = get_args(DeskAction)
# What only the hub writes: a desk naming one of these is refused, so no desk row reads as a
# hub's request, decision, execution, alert, policy change or security event.
HUB_ONLY_ACTIONS = ("request", "decision", "execution", "alert", "policy", "sign_in_failed",
                    "sign_in_throttled", "employee_added", "employee_disabled",
                    "employee_enabled", "password_reset", "secret_issued", "secret_refused",
                    "secrets_imported", "request_refused", "decision_refused", "proxy_write")
ACTIONS = DESK_ACTIONS + HUB_ONLY_ACTIONS
# Desks before 2026-12-04 sent their own copies of requests and decisions under these names:
# they are kept as "other" with the name in ``event`` (a desk older than the hub must not see
# its outbox stuck on a refusal), so they never read as the hub's.
LEGACY_DESK_ACTIONS = ("request", "decision", "execution")
# append_limited: what counts as "recent", and how far back from the head it looks
RECENT_MS = 60_000
RECENT_SCAN = 2000


class ClientIdTaken(Exception):
    """Another employee's entry holds this client_id, with other content (409)."""


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    entity: str = ""
    detail: dict[str, Any] | None = None
    desk_id: str = HUB
    branch_guid: str | None = None
    client_id: str | None = None
    ts_ms: int | None = None


def entry_hash(prev_hash: str, record: dict[str, Any]) -> str:
    return sha256_hex(prev_hash + "\n" + canonical(record))


def _record(seq: int, ts_ms: int, e: Entry, detail_json: str) -> dict[str, Any]:
    return {"seq": seq, "ts_ms": ts_ms, "actor": e.actor, "desk_id": e.desk_id,
            "branch_guid": e.branch_guid, "action": e.action, "entity": e.entity,
            "detail": json.loads(detail_json)}


async def lock_chain(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        await pg_lock(conn, AUDIT_LOCK)
    else:
        await conn.execute(audit_lock.update().where(audit_lock.c.id == 1)
                           .values(n=audit_lock.c.n + 1))


async def append(conn: AsyncConnection, e: Entry) -> tuple[int, str]:
    """Append inside the caller's transaction; returns (seq, hash). An entry whose
    ``client_id`` is already in the chain is not added again (desk outbox retries): the
    stored (seq, hash) is the answer when the same employee sent it, or another sent the very
    same entry (a desk's outbox resent after a switch of employee); any other reuse of a
    client_id raises ``ClientIdTaken``, so nobody's entry is dropped for someone else's."""
    await lock_chain(conn)
    detail_json = canonical(e.detail or {})
    if e.client_id:
        found = (await conn.execute(sa.select(audit_log).where(
            audit_log.c.client_id == e.client_id))).first()
        if found is not None:
            same = (found.desk_id, found.action, found.entity, found.detail) == (
                e.desk_id, e.action, e.entity, detail_json)
            if found.actor != e.actor and not same:
                raise ClientIdTaken(e.client_id)
            return int(found.seq), str(found.hash)
    return await _insert(conn, e, detail_json, await _head(conn))


async def append_limited(conn: AsyncConnection, e: Entry, *, cap: int,
                         cap_by: Literal["actor", "entity"]) -> tuple[int, str] | None:
    """Append an entry an outsider can repeat at will (a refused decision, a throttled
    sign-in), unless the same one (actor, action, entity, detail) is among the last
    RECENT_MS's, or ``cap`` entries of this action with this ``cap_by`` are: None then
    (nothing added). A flood adds a bounded number of rows a minute, not one per request."""
    await lock_chain(conn)
    head = await _head(conn)
    detail_json = canonical(e.detail or {})
    ts_ms = e.ts_ms or int(time.time() * 1000)
    column = audit_log.c.actor if cap_by == "actor" else audit_log.c.entity
    recent = (await conn.execute(
        sa.select(audit_log.c.actor, audit_log.c.entity, audit_log.c.detail).where(
            audit_log.c.seq > head[0] - RECENT_SCAN, audit_log.c.ts_ms > ts_ms - RECENT_MS,
            audit_log.c.action == e.action,
            column == (e.actor if cap_by == "actor" else e.entity)))).all()
    if len(recent) >= cap or any((r.actor, r.entity, r.detail) == (e.actor, e.entity,
                                                                    detail_json)
                                 for r in recent):
        return None
    return await _insert(conn, dataclasses.replace(e, ts_ms=ts_ms), detail_json, head)


async def record(engine: AsyncEngine, e: Entry) -> tuple[int, str]:
    """A hub entry in a transaction of its own: for what has no transaction of the hub's
    to share (a refused sign-in) or committed in one it does not own (a session, a secret)."""
    async with engine.begin() as conn:
        return await append(conn, e)


async def record_limited(engine: AsyncEngine, e: Entry, *, cap: int,
                         cap_by: Literal["actor", "entity"]) -> tuple[int, str] | None:
    async with engine.begin() as conn:
        return await append_limited(conn, e, cap=cap, cap_by=cap_by)


async def _head(conn: AsyncConnection) -> tuple[int, str]:
    """(seq, hash) of the newest entry; (0, GENESIS) for an empty chain."""
    head = (await conn.execute(sa.select(audit_log.c.seq, audit_log.c.hash)
                               .order_by(audit_log.c.seq.desc()).limit(1))).first()
    return (int(head.seq), str(head.hash)) if head is not None else (0, GENESIS)


async def _insert(conn: AsyncConnection, e: Entry, detail_json: str,
                  head: tuple[int, str]) -> tuple[int, str]:
    seq, prev = head[0] + 1, head[1]
    ts_ms = e.ts_ms or int(time.time() * 1000)
    digest = entry_hash(prev, _record(seq, ts_ms, e, detail_json))
    await conn.execute(audit_log.insert().values(
        seq=seq, ts_ms=ts_ms, actor=e.actor, desk_id=e.desk_id, branch_guid=e.branch_guid,
        action=e.action, entity=e.entity, detail=detail_json, client_id=e.client_id,
        prev_hash=prev, hash=digest))
    return seq, digest


def row_out(r: Any) -> dict[str, Any]:
    return {"seq": r.seq, "ts_ms": r.ts_ms, "actor": r.actor, "desk_id": r.desk_id,
            "branch_guid": r.branch_guid, "action": r.action, "entity": r.entity,
            "detail": json.loads(r.detail), "prev_hash": r.prev_hash, "hash": r.hash}


@dataclass
class Verdict:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problem: str = ""
    bad_seq: int | None = None

    def out(self) -> dict[str, Any]:
        return {"ok": self.ok, "count": self.count, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "problem": self.problem, "bad_seq": self.bad_seq}


async def verify(engine: AsyncEngine, archived: tuple[int, str] | None = None) -> Verdict:
    """Walk the whole chain (in pages); with ``archived`` = (seq, hash) from an exported
    head, also check that the chain still reaches it unchanged."""
    prev, expected_seq, count = GENESIS, 1, 0
    bad: tuple[str, int] | None = None
    archived_seen = False
    async with engine.connect() as conn:
        last = 0
        while bad is None:
            rows = (await conn.execute(sa.select(audit_log).where(audit_log.c.seq > last)
                                       .order_by(audit_log.c.seq).limit(2000))).all()
            if not rows:
                break
            for r in rows:
                if r.seq != expected_seq:
                    bad = (f"entry {expected_seq} is missing", expected_seq)
                    break
                rec = {"seq": r.seq, "ts_ms": r.ts_ms, "actor": r.actor, "desk_id": r.desk_id,
                       "branch_guid": r.branch_guid, "action": r.action, "entity": r.entity,
                       "detail": json.loads(r.detail)}
                if r.prev_hash != prev or entry_hash(prev, rec) != r.hash:
                    bad = (f"entry {r.seq} does not match the chain", int(r.seq))
                    break
                if archived is not None and r.seq == archived[0]:
                    archived_seen = True
                    if r.hash != archived[1]:
                        bad = (f"entry {r.seq} differs from the archived head (rewritten)",
                               int(r.seq))
                        break
                prev, expected_seq, count, last = r.hash, r.seq + 1, count + 1, int(r.seq)
    if bad is None and archived is not None and archived[0] > 0 and not archived_seen:
        bad = (f"the chain ends at {count}, before the archived head {archived[0]} "
               "(truncated or deleted)", count + 1)
    return Verdict(bad is None, count, expected_seq - 1, prev, bad[0] if bad else "",
                   bad[1] if bad else None)


def day_bounds(day: date) -> tuple[int, int]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return int(start.timestamp() * 1000), int((start + timedelta(days=1)).timestamp() * 1000)


async def head(engine: AsyncEngine, day: date | None = None) -> dict[str, Any]:
    """The chain head at the end of ``day`` (UTC; None: now): what IT archives."""
    query = sa.select(audit_log.c.seq, audit_log.c.hash, audit_log.c.ts_ms)
    if day is not None:
        query = query.where(audit_log.c.ts_ms < day_bounds(day)[1])
    async with engine.connect() as conn:
        row = (await conn.execute(query.order_by(audit_log.c.seq.desc()).limit(1))).first()
    return {"date": day.isoformat() if day else None,
            "seq": int(row.seq) if row else 0, "hash": str(row.hash) if row else GENESIS,
            "ts_ms": int(row.ts_ms) if row else None,
            "exported_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
