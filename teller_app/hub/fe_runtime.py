"""Per-process four-eyes runtime: the DCM reader, the executor and background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from .cash_watcher import CashWatcher
from .code_level import CodeLevel
from .commands import Command
from .dcm_reader import Reader
from .drain import Drain
from .events import EventBus, prune
from .execute import Executor
from .shutdown_steps import TASK_CLOSE_WITHIN_S, bounded_steps
from .signin_throttle import prune as prune_signin_failures
from .state import HubState
from .task_stop import leave, stop_task
from .watcher import Leased, Watcher

log = logging.getLogger("teller_hub.four_eyes")


@dataclass
class FourEyes:
    state: HubState
    reader: Reader
    executor: Executor
    bus: EventBus
    # the app's view of the database's control level: below it, no background writes
    level: CodeLevel | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def runtime(request: Request) -> FourEyes:
    fe: FourEyes = request.app.state.four_eyes
    return fe


def _resume_interval() -> float:
    try:
        return max(0.2, float(os.environ.get("TELLER_HUB_RESUME_INTERVAL_S", "15")))
    except ValueError:
        return 15.0


def _events_keep_ms() -> int:
    try:
        days = max(1.0, float(os.environ.get("TELLER_HUB_EVENTS_KEEP_DAYS", "30")))
    except ValueError:
        days = 30.0
    return int(days * 86_400_000)


async def _prune_events(fe: FourEyes) -> None:
    """Events are notifications, not records (the audit chain is): old ones go (but never
    the newest, see ``events.prune``)."""
    await prune(fe.state.engine, int(time.time() * 1000) - _events_keep_ms())


async def _prune_hourly(fe: FourEyes) -> None:
    """Old events and forgotten sign-in failure counts (a night of failures with no
    successful sign-in must not keep its rows); one failing does not stop the other."""
    steps: dict[str, Callable[[], Awaitable[object]]] = {
        "events": lambda: _prune_events(fe),
        "sign-in failures": lambda: prune_signin_failures(fe.state.engine)}
    for name, step in steps.items():
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("hourly prune failed", extra={"what": name,
                                                      "error": type(exc).__name__})


async def _resume_loop(fe: FourEyes) -> None:
    pruned = float("-inf")  # the first pass prunes (monotonic may be < 1 h after a boot)
    while True:
        try:
            if fe.level is not None and await fe.level.paused("resume"):
                await asyncio.sleep(_resume_interval())  # a newer release's processes do it
                continue
            # no DCM reader (no technical account): nothing to resume, events still pruned
            n = await fe.executor.resume_all() if fe.reader.available else 0
            if n:
                log.info("interrupted executions resumed", extra={"n_resumed": n})
            if time.monotonic() - pruned > 3600:
                await _prune_hourly(fe)
                pruned = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("resume failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(_resume_interval())


DEAF_TASK = "TELLER_HUB_TEST_DEAF_TASK"  # fault injector (tests only): a task losing cancels


async def _deaf_task() -> None:
    while True:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()


def _watch(state: HubState) -> bool:
    """The watchers (customers, cash) are the detective control of Mode A (DCM technical
    account, no bank key: in Mode B the hub is the only key holder, which is preventive).
    ``TELLER_HUB_WATCH`` = 1 / 0 forces them on / off."""
    forced = os.environ.get("TELLER_HUB_WATCH", "")
    if not state.settings.tech_account_configured or forced == "0":
        return False
    return forced == "1" or state.settings.bank_key_file is None


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: HubState = app.state.hub
    reader = Reader(state)
    level: CodeLevel | None = getattr(app.state, "code_level", None)  # app.create_app's
    fe = FourEyes(state, reader, Executor(state, reader), EventBus(state.engine), level)
    app.state.four_eyes = fe
    await fe.bus.start()
    fe.tasks.append(asyncio.create_task(_resume_loop(fe), name="four-eyes-resume"))
    leased: list[Leased] = []
    if _watch(state):
        leased = [Watcher(state, reader, level), CashWatcher(state, reader, level)]
        for worker, name in zip(leased, ("four-eyes-watcher", "cash-watcher"), strict=True):
            fe.tasks.append(asyncio.create_task(worker.run_forever(), name=name))
    if os.environ.get(DEAF_TASK) == "1":
        fe.tasks.append(asyncio.create_task(_deaf_task(), name="test-deaf-task"))
    try:
        yield
    finally:
        # SIGTERM (a rolling restart): readyz says 503 from now on; nothing new is taken up
        # (resume loop, watchers), and approved commands being executed (and the proxy's
        # bookkeeping) end, within the drain, so an approver gets the outcome and nothing
        # waits for another process's stale take-over
        drain: Drain = getattr(app.state, "drain", None) or Drain(0)
        drain.begin()
        # at once: one task's bounded wait does not add to another's
        await asyncio.gather(*(stop_task(task) for task in fe.tasks))
        await drain.wait(fe.executor.executions())
        _leave_executions(fe.executor.executions())
        # at once, each bounded and named if it overruns (``shutdown_steps``); the leases
        # released: another process takes the watchers at once, not in ~40 s
        await asyncio.gather(
            bounded_steps({f"{worker.lease_name} lease release": worker.release()
                           for worker in leased}),
            bounded_steps({"event bus close": fe.bus.close(),  # the bus stops its poll first
                           "dcm reader close": reader.close(),
                           # borrowed by an execution the drain left: closed when it ends
                           "dcm execution connections close": fe.executor.connections.close()},
                          within=TASK_CLOSE_WITHIN_S))


def _leave_executions(running: list[asyncio.Future[Command]]) -> None:
    """Executions the drain's time did not see end (each keeps its lease marker: another
    process's resume loop takes it over once stale): left running, as a task a stop left, so
    ``serve`` ends the process after its shutdown instead of ``asyncio.run`` awaiting them
    (unbounded) at its end."""
    for execution in running:
        if isinstance(execution, asyncio.Task) and not execution.done():
            leave(execution)
