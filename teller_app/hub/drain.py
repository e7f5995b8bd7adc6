"""A rolling restart's drain: from SIGTERM on the process is "draining" (``/readyz`` answers
503, so a balancer takes it out), and what must outlive a request (the bookkeeping after a
proxied write, an approved command's execution) is awaited, up to ``shutdown_drain_s``
counted from the signal, before the engine and the HTTP client are closed."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Iterable
from typing import Any

from .task_stop import leave, waiting_at

log = logging.getLogger("teller_hub")

MIN_WAIT_S = 0.5  # the lifespan's share when the requests used up the whole drain


class Drain:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline: float | None = None  # monotonic; set once draining starts
        self.tasks: set[asyncio.Task[Any]] = set()

    @property
    def draining(self) -> bool:
        return self.deadline is not None

    def begin(self) -> None:
        """Safe in a signal handler: one assignment, no logging, no loop calls."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds

    def track(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` as a task of its own (a request's cancellation does not reach it),
        referenced until it ends, and awaited by ``wait`` at shutdown."""
        task = asyncio.create_task(work, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def remaining(self) -> float:
        self.begin()
        assert self.deadline is not None
        return max(MIN_WAIT_S, self.deadline - time.monotonic())

    async def wait(self, others: Iterable[asyncio.Future[Any]] = ()) -> bool:
        """Await the tracked tasks and ``others`` until the drain's deadline; True when all
        ended. Tracked tasks still running then are cancelled (each logs what it lost)."""
        self.begin()
        pending = {*self.tasks, *others}
        if not pending:
            return True
        log.info("draining: waiting for work in progress", extra={"n_tasks": len(pending)})
        _, left = await asyncio.wait(pending, timeout=self.remaining())
        if not left:
            return True
        log.error("drain time over: work in progress is abandoned",
                  extra={"n_tasks": len(left)})
        mine = [t for t in left if t in self.tasks]
        for task in mine:
            task.cancel()
        if mine:
            await asyncio.wait(mine, timeout=MIN_WAIT_S)
        for task in mine:
            if not task.done():  # its cancel lost: named, and ``serve`` ends the process
                log.error("drained work did not stop: left running", extra={
                    "task": task.get_name(), "waiting_at": waiting_at(task)})
                leave(task)
        return False
