"""Per-process four-eyes runtime: the DCM reader, the executor and background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from .cash_watcher import CashWatcher
from .dcm_reader import Reader
from .events import EventBus, prune
from .execute import Executor
from .state import HubState
from .watcher import Watcher, stop

log = logging.getLogger("teller_hub.four_eyes")


@dataclass
class FourEyes:
    state: HubState
    reader: Reader
    executor: Executor
    bus: EventBus
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


async def _resume_loop(fe: FourEyes) -> None:
    pruned = 0.0
    while True:
        try:
            n = await fe.executor.resume_all()
            if n:
                log.info("interrupted executions resumed", extra={"n_resumed": n})
            if time.monotonic() - pruned > 3600:
                await _prune_events(fe)
                pruned = time.monotonic()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("resume failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(_resume_interval())


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
    fe = FourEyes(state, reader, Executor(state, reader), EventBus(state.engine))
    app.state.four_eyes = fe
    await fe.bus.start()
    if reader.available:
        fe.tasks.append(asyncio.create_task(_resume_loop(fe), name="four-eyes-resume"))
    if _watch(state):
        watcher = Watcher(state, reader)
        fe.tasks.append(asyncio.create_task(watcher.run_forever(), name="four-eyes-watcher"))
        cash = CashWatcher(state, reader)
        fe.tasks.append(asyncio.create_task(cash.run_forever(), name="cash-watcher"))
    try:
        yield
    finally:
        for task in fe.tasks:
            await stop(task)
        await fe.bus.close()
        await reader.close()
