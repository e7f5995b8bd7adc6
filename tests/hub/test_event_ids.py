"""Event ids never go back, even when pruning old events would empty the table (on SQLite an
INTEGER PRIMARY KEY without AUTOINCREMENT restarts at max(id) + 1; PostgreSQL's sequence
never restarts): a stream or desk following "id > cursor" sees the next event at once.
The hub's own event code on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import fe_runtime
from teller_app.hub.events import EventBus, after, emit, last_id, prune
from teller_app.hub.fe_tables import events
from teller_app.hub.models import HubEmployee

EMAIL = "follower@bank.example"
READER = HubEmployee(email=EMAIL, name="Ірина", roles=("Teller",), branch_guid=None,
                     head_office=True, source="hub")
DAY_MS = 86_400_000


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)



async def _emit(engine: AsyncEngine, n: int) -> None:
    async with engine.begin() as conn:
        await emit(conn, "test.ping", {"n": n}, to_email=EMAIL)


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(events)))
                   .scalar_one())


def test_prune_of_everything_keeps_ids_growing(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        bus = EventBus(engine)
        for n in range(3):
            await _emit(engine, n)
        seen = await last_id(engine)
        await bus.poke()
        assert bus.top == seen
        # everything older than a minute from now: the whole table, were nothing kept
        pruned = await prune(engine, int(time.time() * 1000) + 60_000)
        left = await _count(engine)
        await _emit(engine, 3)
        new = await after(engine, READER, seen)  # a follower at the newest id it saw
        assert [e.data["n"] for e in new] == [3]
        assert new[0].id > seen
        await bus.poke()
        assert bus.top == new[0].id
        assert (pruned, left) == (2, 1)  # all but the newest went
    run_on_engine(db_url, body)


async def _old_events(engine: AsyncEngine) -> None:
    """Three events older than the 30 days kept."""
    old_ms = int(time.time() * 1000) - 40 * DAY_MS
    async with engine.begin() as conn:
        for n in range(3):
            await conn.execute(events.insert().values(
                ts_ms=old_ms + n, kind="test.ping", to_email=EMAIL, data=json.dumps({"n": n})))


def test_the_hourly_prune_of_a_quiet_hub_keeps_ids_growing(db_url: str) -> None:
    """Only events older than the 30 days kept (the hub sat unused): the resume loop's own
    prune would empty the table."""
    async def body(engine: AsyncEngine) -> None:
        await _old_events(engine)
        seen = await last_id(engine)
        fe = cast(fe_runtime.FourEyes, SimpleNamespace(state=SimpleNamespace(engine=engine)))
        await fe_runtime._prune_events(fe)
        left = await _count(engine)
        await _emit(engine, 3)
        new = await after(engine, READER, seen)
        assert [e.data["n"] for e in new] == [3]
        assert new[0].id > seen
        assert left == 1  # all but the newest went
    run_on_engine(db_url, body)


def test_a_hub_without_a_dcm_reader_still_prunes(db_url: str) -> None:
    """Mode B with no technical account has nothing to resume, but its events table must not
    grow for ever: the resume loop runs (and prunes) without a reader too."""
    async def body(engine: AsyncEngine) -> None:
        await _old_events(engine)

        async def no_resume() -> int:
            raise AssertionError("nothing to resume without a reader")

        fe = cast(fe_runtime.FourEyes, SimpleNamespace(
            state=SimpleNamespace(engine=engine), reader=SimpleNamespace(available=False),
            executor=SimpleNamespace(resume_all=no_resume), level=None))
        loop = asyncio.create_task(fe_runtime._resume_loop(fe))
        try:
            async with asyncio.timeout(30):
                while await _count(engine) != 1:
                    await asyncio.sleep(0.05)  # polling a condition, with a deadline
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
    run_on_engine(db_url, body)
