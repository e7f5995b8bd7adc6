"""An approved command's execution holds a lease: ``execution_started_at`` is its marker,
renewed while the execution runs, so another process's resume loop (which takes over only
executions older than the stale time) never runs a live one a second time. Executions are
also bounded: a write still unanswered at the deadline is settled by reading DCM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import AsyncIterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from . import commands
from .db import now
from .fe_tables import commands as command_rows
from .task_stop import stop_task

log = logging.getLogger("teller_hub.four_eyes")


def stale_seconds() -> int:
    """How long an execution's marker may go unrenewed before another process may take it
    over (its executor died)."""
    try:
        return max(0, int(os.environ.get("TELLER_HUB_EXECUTION_STALE_S", "60")))
    except ValueError:
        return 60


def renew_every() -> float | None:
    """Well inside the stale time (markers are whole seconds); None: 0 means "take over at
    once" (crash tests), so there is nothing to keep."""
    stale = stale_seconds()
    return stale / 4 if stale >= 2 else None


def deadline_seconds() -> float:
    """How long a write to DCM may stay unanswered before the executor reads DCM instead."""
    stale = stale_seconds()
    return max(5.0, stale / 2) if stale else 30.0


async def _keep(engine: AsyncEngine, command_id: str, marker: int, every: float,
                done: asyncio.Event) -> None:
    current: int | None = marker
    while current is not None:
        await asyncio.sleep(every)
        if done.is_set():  # the block ended: no renewal after it, even if a cancel is lost
            break
        try:
            current = await commands.renew_execution(engine, command_id, current)
        except (SQLAlchemyError, OSError) as exc:  # a timeout too; stale is 4 periods: the
            # next renewal may succeed
            log.warning("execution lease not renewed", extra={
                "request_id": command_id, "error": type(exc).__name__})
    log.info("execution lease ended", extra={"request_id": command_id})


@contextlib.asynccontextmanager
async def held(engine: AsyncEngine, command_id: str, marker: int | None) -> AsyncIterator[None]:
    """Renew the command's execution marker for as long as the block runs."""
    every = renew_every()
    if every is None or not marker:
        yield
        return
    done = asyncio.Event()
    keeper = asyncio.create_task(_keep(engine, command_id, marker, every, done),
                                 name=f"execution-lease-{command_id}")
    try:
        yield
    finally:
        done.set()
        await stop_task(keeper)  # never swallows a cancel of the execution itself


# A write whose answer was lost (a cash confirm) stays "approved" with this result while DCM
# may still apply it late; it is settled by reading DCM, never by writing again.
IN_DOUBT = "in doubt: "
_SINCE = re.compile(r"\[since (\d+)\]$")


def in_doubt_grace_seconds() -> float:
    """How long after a lost write DCM may still apply it: longer than the hub's write
    deadline (``deadline_seconds``) and HTTP timeout (10 s). A draft still CREATED past it
    was not confirmed."""
    try:
        grace = float(os.environ.get("TELLER_HUB_IN_DOUBT_GRACE_S", ""))
    except ValueError:
        grace = 0.0
    return grace if grace > 0 else 2 * max(deadline_seconds(), 10.0)


def in_doubt_since(result: str | None) -> int | None:
    """When a command was marked in doubt (its result), or None when it is not."""
    if not result or not result.startswith(IN_DOUBT):
        return None
    found = _SINCE.search(result)
    return int(found.group(1)) if found else 0


async def mark_in_doubt(engine: AsyncEngine, command_id: str, message: str) -> str | None:
    """An approved command's write went unanswered and DCM does not show it yet: say so in its
    result (it stays approved: a void is refused, the till and alerts count it approved).
    The new result, or None when the command is no longer approved."""
    result = f"{IN_DOUBT}{message[:800]}; DCM is read until it settles [since {now()}]"
    c = command_rows.c
    async with engine.begin() as conn:
        done = await conn.execute(command_rows.update().where(
            c.id == command_id, c.state == commands.APPROVED).values(result=result))
    return result if done.rowcount == 1 else None
