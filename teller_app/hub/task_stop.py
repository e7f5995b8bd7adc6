"""Stopping a process's background tasks at shutdown (watchers, the resume loop, the event
bus's poll, the directory's refresh) without letting one of them hold the shutdown.

A cancel can be lost: a library that catches it at the wrong moment (a timeout firing as
the cancel arrives) lets the task go on, and a shutdown awaiting it waits for ever, until
the process is killed (a rolling restart's SIGKILL: the lease and the drain's promises
lost with it). So the task is cancelled, awaited for a bounded time, cancelled once more
if it is still running, and otherwise left behind; either way the log says which task and
where it waited, so the lost cancel can be found. A task left behind would hold the end of
the event loop (``asyncio.run`` awaits every task, unbounded), so ``serve`` ends the process
once its shutdown is done when ``left_running`` names any (``serve_cmd``)."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

log = logging.getLogger("teller_hub")

STOP_WITHIN_S = 5.0  # a task's share of the shutdown after its first cancel
AGAIN_WITHIN_S = 1.0  # after the second
STACK_FRAMES = 12
_left: set[asyncio.Task[Any]] = set()  # tasks a stop left running


async def stop_task(task: asyncio.Task[Any] | None, *, within: float = STOP_WITHIN_S,
                    again_within: float = AGAIN_WITHIN_S) -> bool:
    """Cancel ``task`` and wait for it to end; True when it ended (its error, if any, is
    taken here and not raised), False when it was left running."""
    if task is None:
        return True
    if not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=within)
    if not task.done():
        log.warning("background task ignored its cancel: cancelled again",
                    extra={"task": task.get_name(), "waiting_at": waiting_at(task)})
        task.cancel()
        await asyncio.wait({task}, timeout=again_within)
    if not task.done():
        log.error("background task did not stop: left running",
                  extra={"task": task.get_name(), "waiting_at": waiting_at(task)})
        leave(task)
        return False
    if not task.cancelled() and (error := task.exception()) is not None:
        # taken here (not "never retrieved" at exit); its type only, as every log line
        log.warning("background task had failed", extra={
            "task": task.get_name(), "error": type(error).__name__})
    return True


def leave(task: asyncio.Task[Any]) -> None:
    """Count ``task`` among those the shutdown leaves running (``left_running``)."""
    if not task.done():
        _left.add(task)
        task.add_done_callback(_left.discard)


def left_running() -> list[str]:
    """The names of tasks a stop left running that still run."""
    return sorted(t.get_name() for t in _left if not t.done())


def waiting_at(task: asyncio.Task[Any]) -> list[str]:
    """Where a task waits, outermost first ("module.py:line function", down the chain of
    awaits): names and line numbers only, never values."""
    where: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None and len(where) < STACK_FRAMES:
        frame = next((getattr(awaited, a) for a in ("cr_frame", "gi_frame", "ag_frame")
                      if getattr(awaited, a, None) is not None), None)
        if frame is None:  # a future, a lock's waiter: what it is, not its value
            where.append(type(awaited).__name__)
            break
        code = frame.f_code
        where.append(f"{os.path.basename(code.co_filename)}:{frame.f_lineno} {code.co_name}")
        awaited = next((getattr(awaited, a) for a in ("cr_await", "gi_yieldfrom", "ag_await")
                        if getattr(awaited, a, None) is not None), None)
    return where
