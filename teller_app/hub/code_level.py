"""The database's control level (``hub_code_level.min_hub_code``, revision 0010): the lowest
``api_version.HUB_CODE_LEVEL`` whose processes may still write.

Migrations are additive, so a process of an older release keeps serving a database a newer
release migrated, and would write without the newer release's controls. ``teller-hub
migrate`` raises the level to its code's (never lowers it); every process of this release
and later reads it (at most every ``LEVEL_TTL_S``, not once per request) and, once below it,
refuses writes (503 ``hub_too_old``), says it is not ready and pauses its background writers
(the resume loop, the watchers: ``paused``). Its ``teller-hub`` write commands refuse too
(``refuse_too_old``, exit 2). Releases before this one do not read it: they must be drained
before a ``migrate`` that raises the level.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from . import api_version
from .db import metadata, now

log = logging.getLogger("teller_hub")
LEVEL_TTL_S = 5.0  # a raised level refuses this process's writes within this
READ_WITHIN_S = 2.0  # a database that does not answer keeps the last level read
ROW_ID = 1

hub_code_level = sa.Table(  # one row (id 1)
    "hub_code_level", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("min_hub_code", sa.Integer, nullable=False),
    sa.Column("raised_at", sa.BigInteger, nullable=False),
)


class HubTooOld(RuntimeError):
    """A ``teller-hub`` write command of a release below the database's level."""


def raise_to_code_level(sync_conn: Any) -> int:
    """In ``migrate``'s transaction (its lock held): the database's level becomes at least
    this code's. Returns the level now required."""
    level = api_version.HUB_CODE_LEVEL
    row = sync_conn.execute(sa.select(hub_code_level.c.min_hub_code)
                            .where(hub_code_level.c.id == ROW_ID)).first()
    if row is None:
        sync_conn.execute(hub_code_level.insert().values(id=ROW_ID, min_hub_code=level,
                                                         raised_at=now()))
    elif int(row[0]) < level:
        sync_conn.execute(hub_code_level.update().where(hub_code_level.c.id == ROW_ID)
                          .values(min_hub_code=level, raised_at=now()))
    else:
        return int(row[0])
    log.info("hub control level raised: processes of an older level refuse writes",
                extra={"min_hub_code": level, "was": None if row is None else int(row[0])})
    return level


async def read_level(engine: AsyncEngine) -> int:
    """The database's level; 0 when it has none (a database before revision 0010)."""
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(hub_code_level.c.min_hub_code)
                                  .where(hub_code_level.c.id == ROW_ID))).first()
    return 0 if row is None else int(row[0])


async def refuse_too_old(engine: AsyncEngine) -> None:
    """For a CLI command that writes: ``HubTooOld`` when this code is below the database's
    level (read once; the database is migrated, so the row's table exists)."""
    required = await read_level(engine)
    if required > api_version.HUB_CODE_LEVEL:
        raise HubTooOld(f"the database requires a newer hub (control level {required}, this "
                        f"one is {api_version.HUB_CODE_LEVEL}): run this command with the "
                        "new version; nothing was changed")


class CodeLevel:
    """This process's view of the database's level, read at most every ``ttl`` seconds (one
    reader at a time; the others take the value it read)."""

    def __init__(self, ttl: float = LEVEL_TTL_S) -> None:
        self.ttl = ttl
        self.engine: AsyncEngine | None = None
        self._required = 0
        self._read_at: float | None = None
        self._lock = asyncio.Lock()
        self._told = 0  # the level whose refusal was logged
        self._paused: set[str] = set()  # background work told paused (``paused``)

    def bind(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def _fresh(self) -> bool:
        return self._read_at is not None and time.monotonic() - self._read_at < self.ttl

    async def required(self) -> int:
        """The lowest code level the database lets write (the last one read when the
        database does not answer: a blip neither opens nor closes writes)."""
        if self._fresh() or self.engine is None:
            return self._required
        async with self._lock:
            if not self._fresh():
                await self._read(self.engine)
        return self._required

    async def _read(self, engine: AsyncEngine) -> None:
        try:
            async with asyncio.timeout(READ_WITHIN_S):
                self._required = await read_level(engine)
        except (sa.exc.SQLAlchemyError, OSError):  # TimeoutError is an OSError
            pass  # no table yet (not migrated: /readyz says so), or no answer: as before
        self._read_at = time.monotonic()
        if self._required > api_version.HUB_CODE_LEVEL and self._told != self._required:
            self._told = self._required
            log.warning("the database requires a newer hub: this process refuses writes "
                        "and pauses its background work (restart it on the new version)",
                        extra={
                            "min_hub_code": self._required,
                            "hub_code": api_version.HUB_CODE_LEVEL})

    async def too_old(self) -> bool:
        """This process is below the database's level: it must not write."""
        return await self.required() > api_version.HUB_CODE_LEVEL

    async def paused(self, work: str) -> bool:
        """A background writer (``work``: its name) skips its pass while this process is too
        old: an approved request resumed, an alert or a cursor written by code without the
        newer release's controls. Logged once when it pauses (and when it goes on)."""
        old = await self.too_old()
        if old and work not in self._paused:
            self._paused.add(work)
            log.warning("background work paused: this hub is below the database's control "
                        "level",
                        extra={"work": work, "min_hub_code": self._required,
                               "hub_code": api_version.HUB_CODE_LEVEL})
        elif not old and work in self._paused:  # the level went down (a restored backup)
            self._paused.discard(work)
            log.info("background work goes on", extra={"work": work})
        return old
