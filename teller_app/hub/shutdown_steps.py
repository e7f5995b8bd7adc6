"""The steps of the hub's shutdown after the drain (releasing leases, closing the DCM clients,
the HTTP client and the database engine), each bounded, so none can hold a SIGTERM for ever.

A close can wait for long without any error: ``engine.dispose()`` asks each pooled
PostgreSQL connection to terminate and waits for the server to drop it (asyncpg: up to the
statement timeout, 15 s by default, one connection after another), an SQLite close queues
behind a statement waiting for the file's lock (``busy_timeout``, 15 s), a lease's release
waits for a database that does not answer. Each step gets ``within`` seconds; one that
overruns is named in the log (where it waited: file, line and function names only), then
cancelled like a background task (``task_stop``). What an overrun step waited on may go on
after its cancel (a database driver's thread blocked on the file's lock, which the end of
the interpreter would join), so ``serve`` ends the process once its shutdown is done when
any step overran, as when a task was left running. A step that took longer
than ``SLOW_STEP_S`` but ended is named too, so a slow stop says where its time went."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Coroutine
from typing import Any

from .task_stop import AGAIN_WITHIN_S, STOP_WITHIN_S, stop_task, waiting_at

log = logging.getLogger("teller_hub")

STEP_WITHIN_S = 5.0  # a close's or a release's share of the shutdown
# a close that first stops a background task of its own (bounded by ``stop_task``)
TASK_CLOSE_WITHIN_S = STOP_WITHIN_S + AGAIN_WITHIN_S + STEP_WITHIN_S / 2
CANCEL_WITHIN_S = 1.0  # an overrun step's time to end after its cancel (and after a second)
SLOW_STEP_S = 1.0  # a step that ended but took longer than this is logged (info)
_overran: list[str] = []  # the steps that overran, in order


async def bounded_step(name: str, work: Coroutine[Any, Any, Any], *,
                       within: float = STEP_WITHIN_S) -> bool:
    """Await ``work`` (one step of the shutdown, ``name`` says which) for at most ``within``
    seconds; True when it ended in time (its error, if any, is logged by type and not
    raised: the shutdown goes on), False when it overran and was cancelled or left."""
    t0 = time.monotonic()
    task = asyncio.create_task(work, name=f"shutdown-{name}")
    try:
        await asyncio.wait({task}, timeout=within)
    except asyncio.CancelledError:  # the shutdown itself cancelled: the step goes with it
        task.cancel()
        raise
    if not task.done():
        log.error("shutdown step overran: cancelled", extra={
            "step": name, "within_s": within, "waiting_at": waiting_at(task)})
        _overran.append(name)
        await stop_task(task, within=CANCEL_WITHIN_S, again_within=CANCEL_WITHIN_S)
        return False
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("shutdown step failed", extra={"step": name,
                                                   "error": type(error).__name__})
    took = time.monotonic() - t0
    if took > SLOW_STEP_S:
        log.info("shutdown step slow", extra={"step": name, "ms": round(took * 1000)})
    return True


def overran_steps() -> list[str]:
    """The names of the steps that overran (cancelled, or left running)."""
    return list(_overran)


def forget_overran() -> None:
    """A new app starts with none (the record is the process's; ``serve`` reads it)."""
    _overran.clear()


async def bounded_steps(steps: dict[str, Coroutine[Any, Any, Any]], *,
                        within: float = STEP_WITHIN_S) -> bool:
    """Independent steps at once (one's bounded wait does not add to another's); True when
    every one ended in time."""
    try:
        done = await asyncio.gather(*(bounded_step(name, work, within=within)
                                      for name, work in steps.items()))
    except asyncio.CancelledError:  # the shutdown itself cancelled: a step never started
        for work in steps.values():  # is closed, not left "never awaited"
            if inspect.getcoroutinestate(work) == inspect.CORO_CREATED:
                work.close()
        raise
    return all(done)
