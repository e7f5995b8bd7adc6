"""Single use of DCM's X-Session-ID tokens: each ``jti`` is spent in ``dcm_token_jtis``
(revision 0006), shared by every hub process of the database.

Spending is one INSERT of the jti's SHA-256 (a jti is DCM's, of any length; the hash keys it
in fixed width) with ``ON CONFLICT DO NOTHING``: the primary key decides, on SQLite and on
PostgreSQL, which of two concurrent requests carrying one token wins. A row is kept until
its token could no longer pass the expiry check; expired rows are deleted in bounded batches
at most once per ``PRUNE_INTERVAL_S`` per process.

Each process also remembers its own spends (to refuse a repeat without the database) in
insertion order, which is about expiry order (one token lifetime for all): every spend drops
the expired ids at the front, so the memory holds about call rate x token lifetime and no
spend ever walks the whole of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import delete_in_batches, dialect_insert, metadata, now

log = logging.getLogger("teller_hub.token_replay")
PRUNE_INTERVAL_S = 30.0
SPEND_WAIT_S = 0.25  # SQLite: how long an answer waits for the database to record a jti
# PostgreSQL (several hub processes): how long an answer waits for the database's decision
# before it refuses; DCM gives the Auth Service 1 s, so a later answer was lost anyway
SPEND_WAIT_SHARED_S = 0.8
SEEN_MAX = 200_000  # at most this many live jti hashes remembered (the oldest go first)
PRUNE_BATCH = 5000
PRUNE_ROUNDS = 10  # at most this many batches per prune (the rest waits for the next one)
# a row outlives its expiry by this much before any process deletes it: the processes'
# clocks differ, and one ahead must not forget a token another still accepts
PRUNE_MARGIN_S = 300

dcm_token_jtis = sa.Table(
    "dcm_token_jtis", metadata,
    sa.Column("jti_hash", sa.String(64), primary_key=True),  # sha256 hex of the jti
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
)


def jti_hash(jti: str) -> str:
    return hashlib.sha256(b"dcm-jti:" + jti.encode("utf-8", "surrogatepass")).hexdigest()


class JtiLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pruned_at = 0.0
        self._pruning: set[asyncio.Task[Any]] = set()
        # this process's spent jti hashes -> expires_at, oldest first
        self._seen: OrderedDict[str, int] = OrderedDict()

    async def spend(self, jti: str, expires_at: int) -> bool:
        """True the first time ``jti`` is seen (now spent until ``expires_at``), else False.
        This process's own spends are refused at once from memory; the database decides
        between processes. When it is busy past the wait, PostgreSQL (the database of a
        scaled-out hub, where another process may be answering the same token) refuses: a
        replay must not pass once per process. SQLite (one hub process: a branch or the
        embedded default; its one writer is slow under load) answers from memory after
        ``SPEND_WAIT_S``; a late conflict is logged as an error."""
        key = jti_hash(jti)
        if key in self._seen:
            return False
        self._remember(key, expires_at)
        shared = self.engine.dialect.name != "sqlite"
        insert = asyncio.ensure_future(self._insert(key, expires_at))
        try:
            fresh = await asyncio.wait_for(
                asyncio.shield(insert), SPEND_WAIT_SHARED_S if shared else SPEND_WAIT_S)
        except TimeoutError:
            self._pruning.add(insert)
            insert.add_done_callback(self._late_refused if shared else self._late)
            if shared:
                log.warning("a DCM token was refused: the database did not record its id "
                            "within %.1f s", SPEND_WAIT_SHARED_S)
            fresh = not shared
        if time.monotonic() - self._pruned_at >= PRUNE_INTERVAL_S:
            # beside the answer, not in it: DCM waits at most 1 s for the Auth Service
            self._pruned_at = time.monotonic()
            task = asyncio.ensure_future(self._prune_logged())
            self._pruning.add(task)
            task.add_done_callback(self._pruning.discard)
        return fresh

    async def _insert(self, key: str, expires_at: int) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(dialect_insert(conn, dcm_token_jtis).values(
                jti_hash=key, expires_at=expires_at).on_conflict_do_nothing())
            return bool(result.rowcount == 1)

    def _late_refused(self, task: asyncio.Task[bool]) -> None:
        """The insert of a token already refused: a conflict is no harm, a failure is."""
        self._pruning.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a DCM token id could not be recorded: %s", type(task.exception()).__name__)

    def _late(self, task: asyncio.Task[bool]) -> None:
        self._pruning.discard(task)
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("a DCM token id could not be recorded: %s", type(task.exception()).__name__)
        elif not task.result():
            log.error("a DCM token was answered twice: another hub process took it first "
                      "while the database was busy")

    def _remember(self, key: str, expires_at: int) -> None:
        """Drop what could no longer pass the expiry check from the front (each id goes
        once: amortised O(1) a spend); an id behind a longer-lived one waits for it. Past
        ``SEEN_MAX`` live ids the oldest is forgotten: the database still refuses it."""
        seen, t = self._seen, now()
        while seen and (next(iter(seen.values())) < t or len(seen) >= SEEN_MAX):
            seen.popitem(last=False)
        seen[key] = expires_at

    async def _prune_logged(self) -> None:
        try:
            await self.prune()
        except Exception:  # the next prune tries again; a spend never depends on it
            log.exception("pruning spent DCM token ids failed")

    async def prune(self) -> int:
        """Delete rows expired over ``PRUNE_MARGIN_S`` ago; rows another process is deleting
        are skipped (PostgreSQL), never waited for. Returns how many went."""
        return await delete_in_batches(self.engine, dcm_token_jtis.c.jti_hash,
                                       dcm_token_jtis.c.expires_at < now() - PRUNE_MARGIN_S,
                                       batch=PRUNE_BATCH, rounds=PRUNE_ROUNDS)
