"""Detective control for Mode A when tellers may PUT customers on DCM themselves: read
customer changes with the technical account (incremental by ``min_updated_at``) and raise
"changed without approval" alerts when a policy-sensitive field changed and no approved
command explains it. A customer it reads whose phone number another customer also holds on
DCM, while the policy keeps ``unique_phone`` on, raises an alert of reason
``phone_duplicate`` naming the other (``phone_watch``: once per customer and number, a few
DCM look-ups a pass; a look-up DCM fails is retried by the next pass).

Two hub processes: only the holder of the ``watcher`` lease row works; the cursor lives in
that row, so a take-over continues where the previous holder stopped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from teller_app.platform import PlatformError
from teller_app.platform.models import Customer

from . import audit, commands, events, phone_watch, policy, task_stop, vault
from .code_level import CodeLevel
from .customer_drift import same
from .db import dialect_insert, now
from .dcm_reader import Reader
from .fe_tables import alerts, customer_snapshots, leases
from .state import HubState

log = logging.getLogger("teller_hub.watcher")
LEASE = "watcher"
WATCHED = ("is_disabled", "status", "kyc_level", "balance_allowed")
# What the policy also judges (policy.customer_fields): a snapshot taken before these were
# kept lacks them, and a field a snapshot lacks is first seen, never a change.
ALSO_WATCHED = ("phone_number", "branch_guid", "segment")
PAGE = 500
PAGES_PER_TICK = 20
RELEASE_WITHIN_S = 3.0  # at shutdown, its rollback included
# A release waits this long for a lock another process holds (SQLite: a locked file, not its
# busy_timeout of 15 s; PostgreSQL: the lease row, the server's lock_timeout): it fails and
# rolls back within RELEASE_WITHIN_S, leaving nothing behind, on the server neither
RELEASE_BUSY_MS = 2000
EXPLAIN_SLACK_S = 120  # a command decided this long before the snapshot still explains it


def interval_s() -> float:
    try:
        return max(0.05, float(os.environ.get("TELLER_HUB_WATCH_INTERVAL_S", "10")))
    except ValueError:
        return 10.0


def fields_of(c: Customer) -> dict[str, Any]:
    return {"is_disabled": bool(c.is_disabled), "status": c.status or "",
            "kyc_level": int(c.kyc_level or 0),
            "balance_allowed": format(Decimal(c.balance_allowed or 0), "f")}


async def _sqlite_busy_ms(conn: AsyncConnection, ms: int) -> int | None:
    """On SQLite: how long a statement on ``conn`` waits for a locked file, set to ``ms``
    (the value it had, to set back); None elsewhere."""
    if conn.dialect.name != "sqlite":
        return None
    was = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    await conn.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
    return int(was or 0)


async def _pg_release_bound(conn: AsyncConnection) -> None:
    """On PostgreSQL: the server ends a statement of this transaction that waits for a lock
    longer than RELEASE_BUSY_MS (or runs 0.5 s longer, still within RELEASE_WITHIN_S), so a
    release never leaves one waiting there. ``SET LOCAL``: gone with the transaction, the
    pooled connection keeps its own settings."""
    if conn.dialect.name != "postgresql":
        return
    await conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(RELEASE_BUSY_MS)}")
    await conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(RELEASE_BUSY_MS) + 500}")


def _give_up(task: asyncio.Task[None]) -> None:
    """A release not waited for any longer: cancelled, and left to end by itself (its
    driver's own timeout); counted as left running, so ``serve`` does not wait for it."""
    task.cancel()
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # seen: logged already
    task_stop.leave(task)


class LeaseLost(Exception):
    """Another process took the watcher's lease during this pass."""


class Leased:
    """A periodic task of which one process of N works: the holder of its ``leases`` row
    (``lease_name``), which also keeps the task's cursor, so a take-over continues there."""

    lease_name = LEASE

    def __init__(self, state: HubState, reader: Reader, level: CodeLevel | None = None) -> None:
        self.state = state
        self.reader = reader
        self.level = level  # below the database's control level: no pass (``paused``)
        self.holder = uuid.uuid4().hex
        self.interval = interval_s()
        self.leading = False

    async def tick(self) -> int:
        raise NotImplementedError

    async def run_forever(self) -> None:
        while True:
            try:
                if self.level is not None and await self.level.paused(self.lease_name):
                    await self.release()  # a newer release's process takes it at once
                else:
                    await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep watching; the next tick retries
                log.warning("watcher tick failed", extra={"lease": self.lease_name,
                                                          "error": type(exc).__name__})
            await asyncio.sleep(self.interval)

    async def _lease(self) -> str | bool | None:
        """Take or renew the lease; its cursor (None: first run) or False if another holds."""
        t = time.time()
        ttl = self._ttl()
        name = self.lease_name
        async with self.state.engine.begin() as conn:
            done = await conn.execute(leases.update().where(
                leases.c.name == name,
                sa.or_(leases.c.holder == self.holder, leases.c.expires_at < t)).values(
                    holder=self.holder, expires_at=t + ttl))
            if done.rowcount != 1:
                ins = dialect_insert(conn, leases).values(
                    name=name, holder=self.holder, expires_at=t + ttl, cursor=None)
                got = await conn.execute(ins.on_conflict_do_nothing())
                if got.rowcount != 1:
                    self.leading = False
                    return False
            if not self.leading:
                log.info("watcher lease taken", extra={"lease": name, "holder": self.holder})
                self.leading = True
            cursor = (await conn.execute(sa.select(leases.c.cursor)
                                         .where(leases.c.name == name))).scalar()
        return cursor

    async def release(self) -> None:
        """At shutdown: the lease expires now, so another process takes the task at its next
        tick (its cursor stays). Only ours: one another process took meanwhile is left.
        Returns within RELEASE_WITHIN_S even when the database is locked or not answering."""
        if not self.leading:
            return
        # Bounded here, rollback included: a statement cancelled by a timeout inside
        # ``begin()`` is rolled back on its connection, behind the statement still waiting
        # (SQLite: its busy timeout; PostgreSQL not answering: the command timeout).
        work = asyncio.create_task(self._expire_lease(),
                                   name=f"{self.lease_name} lease release")
        try:
            await asyncio.wait({work}, timeout=RELEASE_WITHIN_S)
        except asyncio.CancelledError:
            _give_up(work)
            raise
        if not work.done():  # the lease expires on its own then
            _give_up(work)
            error: BaseException | None = TimeoutError()
        else:
            error = asyncio.CancelledError() if work.cancelled() else work.exception()
        if error is not None:
            if not isinstance(error, (sa.exc.SQLAlchemyError, OSError, asyncio.CancelledError)):
                raise error
            log.warning("watcher lease not released", extra={"lease": self.lease_name,
                                                             "error": type(error).__name__})
            return
        self.leading = False
        log.info("watcher lease released", extra={"lease": self.lease_name})

    async def _expire_lease(self) -> None:
        async with self.state.engine.begin() as conn:
            await _pg_release_bound(conn)
            busy_ms = await _sqlite_busy_ms(conn, RELEASE_BUSY_MS)
            try:
                await conn.execute(leases.update().where(
                    leases.c.name == self.lease_name, leases.c.holder == self.holder).values(
                        expires_at=0))
            finally:  # the pooled connection waits as long as before for its next user
                if busy_ms is not None:
                    await _sqlite_busy_ms(conn, busy_ms)

    def _ttl(self) -> float:
        return self.interval * 3 + 10

    async def _still_held(self, conn: AsyncConnection) -> bool:
        """In a pass's write: the lease renewed if it is still ours. False: another process
        took it while this pass read DCM, and re-reads from the cursor; the write is left
        undone, or both would raise the same alerts."""
        done = await conn.execute(leases.update().where(
            leases.c.name == self.lease_name, leases.c.holder == self.holder).values(
                expires_at=time.time() + self._ttl()))
        return bool(done.rowcount == 1)

    async def _save_cursor(self, cursor: str) -> None:
        async with self.state.engine.begin() as conn:
            await conn.execute(leases.update().where(
                leases.c.name == self.lease_name, leases.c.holder == self.holder).values(
                    cursor=cursor))


class Watcher(Leased):
    def __init__(self, state: HubState, reader: Reader, level: CodeLevel | None = None) -> None:
        super().__init__(state, reader, level)
        self.phone_hold = phone_watch.CursorHold()  # numbers a pass left: read again

    async def tick(self) -> int:
        """One pass; returns the number of alerts raised (0 when not the leader)."""
        cursor = await self._lease()
        if cursor is False:
            return 0
        client = await self.reader.client()
        pol = (await policy.load(self.state.engine))[0]
        since = datetime.fromisoformat(str(cursor)) if cursor else None
        newest: datetime | None = since
        # a page's phone look-ups end within a third of the lease (renewed between pages)
        phones = phone_watch.PhonePass(self.reader, pol.unique_phone, since,
                                       deadline=time.monotonic() + self._ttl() / 3)
        raised = 0
        # DCM's is_disabled filter: None may leave the disabled out, True may be only them
        for disabled in (None, True):
            offset = 0
            for _ in range(PAGES_PER_TICK):
                try:
                    page = await client.list_customers(
                        min_updated_at=since, ordering="updated_at", is_disabled=disabled,
                        offset=offset, limit=PAGE)
                except PlatformError as exc:
                    log.warning("watcher read failed", extra={"error": type(exc).__name__})
                    return raised
                try:
                    raised += await self._check_page(page.customers, pol, phones)
                except LeaseLost:
                    log.info("watcher lease lost during a pass", extra={"lease": LEASE})
                    self.leading = False
                    return raised
                for customer in page.customers:
                    if customer.updated_at is not None and (
                            newest is None or customer.updated_at > newest):
                        newest = customer.updated_at
                offset += len(page.customers)
                if not page.customers or offset >= page.total:
                    break
                if await self._lease() is False:  # a long pass keeps its lease, or stops
                    return raised
        newest = self.phone_hold.cursor(newest, phones.deferred_from)
        await self._save_cursor(newest.isoformat() if newest else "1970-01-01T00:00:00+00:00")
        return raised

    async def _check_page(self, customers: list[Customer], pol: policy.Policy,
                          phones: phone_watch.PhonePass) -> int:
        """Compare a page with the snapshots (one read, one bulk upsert); alert on changes
        and on a phone number another customer holds."""
        if not customers:
            return 0
        engine = self.state.engine
        guids = [c.wallet_user_guid for c in customers]
        async with engine.connect() as conn:
            rows = {r.customer_guid: r for r in (await conn.execute(
                sa.select(customer_snapshots)
                .where(customer_snapshots.c.customer_guid.in_(guids)))).all()}
        found: list[tuple[Customer, dict[str, Any], dict[str, Any], dict[str, Any],
                          list[str]]] = []
        changed: dict[str, dict[str, Any]] = {}
        duplicates: list[tuple[str | None, dict[str, Any]]] = []  # (branch, detail)
        for customer in customers:
            guid = customer.wallet_user_guid
            new = {**fields_of(customer), **policy.customer_fields(customer)}
            row = rows.get(guid)
            old = json.loads(row.fields) if row is not None else None
            mark, holder = await phones.judge(customer, old)
            if holder is not None:
                duplicates.append((customer.branch_guid or None,
                                   phone_watch.detail(customer, holder)))
            kept = {**new, phone_watch.MARK: mark}
            if old == kept:
                continue
            if row is not None and old is not None:
                diff = {k: new[k] for k in (*WATCHED, *ALSO_WATCHED)
                        if k in old and not same(k, new[k], old.get(k))}
                reasons = policy.evaluate(pol, "customer_update", diff, old)
                if diff and reasons and not await self._explained(guid, diff, row.seen_at):
                    found.append((customer, old, new, diff, reasons))
            changed[guid] = {"customer_guid": guid, "fields": json.dumps(kept),
                             "seen_at": now()}
        # A customer moved on DCM directly (Mode A): their secret follows them, so the Auth
        # Service answers the new branch's staff and no longer the old branch's.
        await vault.follow_customers(engine, [(c.login, c.branch_guid) for c in customers],
                                     self.state.sealed_cache)
        if changed or duplicates:
            # the alerts and the snapshots that make them old news in one transaction: a
            # failure in between never raises the same alert again on the next pass
            async with engine.begin() as conn:
                if not await self._still_held(conn):
                    raise LeaseLost
                ids = [await self._alert(conn, *args) for args in found]
                shared = [await self._record(conn, *args) for args in duplicates]
                if changed:
                    ins = dialect_insert(conn, customer_snapshots).values(
                        list(changed.values()))
                    await conn.execute(ins.on_conflict_do_update(
                        index_elements=["customer_guid"],
                        set_={"fields": ins.excluded.fields, "seen_at": ins.excluded.seen_at}))
            for alert_id in ids:
                log.info("unapproved change", extra={"alert_id": alert_id})
            for alert_id in shared:
                log.info("phone number shared with another customer",
                         extra={"alert_id": alert_id})
        return len(found) + len(duplicates)

    async def _explained(self, guid: str, diff: dict[str, Any], seen_at: int) -> bool:
        for cmd in await commands.explaining(self.state.engine, guid, seen_at - EXPLAIN_SLACK_S):
            change = cmd.change
            if all(k in change and same(k, change[k], v) for k, v in diff.items()):
                return True
        return False

    @staticmethod
    async def _alert(conn: AsyncConnection, customer: Customer, old: dict[str, Any],
                     new: dict[str, Any], diff: dict[str, Any], reasons: list[str]) -> Any:
        fields: dict[str, dict[str, Any]] = {
            k: {"before": old.get(k), "after": new[k]} for k in diff}
        if commands.LIMIT in fields and customer.balance_asset_code:
            # the currency of the new limit (the customer's now; not watched, so the old
            # limit's may have been another), or a desk words it in one they may not have
            fields[commands.LIMIT][commands.LIMIT_ASSET] = customer.balance_asset_code
        detail = {"customer_guid": customer.wallet_user_guid, "login": customer.login,
                  "fields": fields,
                  "reasons": reasons,
                  "updated_at": customer.updated_at.isoformat() if customer.updated_at else None}
        return await Watcher._record(conn, customer.branch_guid or None, detail)

    @staticmethod
    async def _record(conn: AsyncConnection, branch: str | None, detail: dict[str, Any]) -> Any:
        """The alert row, its event to the branch's supervisors and its audit row."""
        guid = detail["customer_guid"]
        result = await conn.execute(alerts.insert().values(
            customer_guid=guid, branch_guid=branch,
            detected_at=now(), detail=json.dumps(detail, ensure_ascii=False)))
        alert_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        await events.emit(conn, "alert.unapproved_change", {"alert_id": alert_id, **detail},
                          branch_guid=branch, to_supervisors=True)
        await audit.append(conn, audit.Entry(
            actor="teller-hub", action="alert", entity=f"customer:{guid}",
            branch_guid=branch, detail=detail))
        return alert_id

