"""An event stream's cursor (``events.scan``, what ``GET /events`` runs): a Kyiv supervisor's
stream gets every event it may see, in order and once, among events for Lviv and for other
people; and its scans start past the ids it cannot see (else every new event made every
stream re-read all it could not see since its last own event: hub CPU grew all day), and
a stream queries only when the bus saw a new row for it. The cost is told by the scans'
lower bounds (the ``id >`` parameter) and their number, not by time. Real hub code on
SQLite and PostgreSQL, a real ``EventBus`` poked by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import events
from teller_app.hub.models import HubEmployee

KYIV, LVIV = "branch-kyiv", "branch-lviv"
SUP = HubEmployee(email="sup.kyiv@hub.test", name="Sup", roles=("Supervisor",),
                  branch_guid=KYIV, head_office=False, source="hub")
LIMIT = 3  # small, so the full-page path (more to read at once) runs too


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _scan_bounds(engine: AsyncEngine) -> list[int]:
    """The ``id >`` bound of every events scan the engine runs."""
    bounds: list[int] = []

    def seen(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any,
             _many: bool) -> None:
        if "FROM events" in statement and "events.id >" in statement:
            values = list(params.values()) if isinstance(params, dict) else list(params)
            bounds.append(int(values[0]))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", seen)
    return bounds


async def _emit(engine: AsyncEngine, kind: str, **to: Any) -> int:
    async with engine.begin() as conn:
        await events.emit(conn, kind, {"n": kind}, **to)
    return await events.last_id(engine)


def test_stream_sees_its_events_once_in_order_and_skips_the_rest(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        bus = events.EventBus(engine)
        await bus.poke()
        cursor = bus.top
        bounds = _scan_bounds(engine)
        expected: list[int] = []
        got: list[int] = []
        previous_top = cursor
        for round_ in range(6):
            # a few Lviv events, one of them for another person, then (some rounds) own ones
            for i in range(4):
                await _emit(engine, f"lviv.{round_}.{i}", branch_guid=LVIV, to_supervisors=True)
            await _emit(engine, f"other.{round_}", to_email="someone@hub.test")
            if round_ % 2 == 0:
                expected.append(await _emit(engine, f"kyiv.{round_}", branch_guid=KYIV,
                                            to_supervisors=True))
                expected.append(await _emit(engine, f"mine.{round_}", to_email=SUP.email))
                await _emit(engine, f"lviv.after.{round_}", branch_guid=LVIV,
                            to_supervisors=True)
            if round_ == 4:  # more than a page of its own at once
                for i in range(LIMIT + 2):
                    expected.append(await _emit(engine, f"many.{i}", branch_guid=KYIV,
                                                to_supervisors=True))
            await bus.poke()
            scans_before = len(bounds)
            while True:  # as the stream: read pages until one is not full
                found, cursor = await events.scan(engine, bus, SUP, cursor, LIMIT)
                got.extend(e.id for e in found)
                if len(found) < LIMIT:
                    break
            assert cursor == bus.top  # nothing of this round is left to scan
            # the cost: a round's scans start at the previous round's newest id or later
            # (without the fix: at its last own event, re-reading what it cannot see), and a
            # round with nothing for it costs no query at all
            scans = bounds[scans_before:]
            assert all(b >= previous_top for b in scans), (previous_top, scans)
            if round_ % 2:
                assert scans == [], scans
            previous_top = bus.top
        assert got == expected  # every one it may see, in order, none twice

    run_on_engine(db_url, body)


def test_every_reader_gets_what_the_table_would_show_it(db_url: str) -> None:
    """The bus's addressee check agrees with the SQL one (``visible_to``) for every kind of
    reader: head office, a branch supervisor, a teller, a supervisor without a branch."""
    readers = [
        SUP,
        HubEmployee(email="ho@hub.test", name="HO", roles=("Administrator",),
                    branch_guid=None, head_office=True, source="hub"),
        HubEmployee(email="teller.lviv@hub.test", name="T", roles=("Teller",),
                    branch_guid=LVIV, head_office=False, source="hub"),
        HubEmployee(email="sup.none@hub.test", name="N", roles=("Supervisor",),
                    branch_guid=None, head_office=False, source="dcm"),
    ]
    addressed: list[dict[str, Any]] = [
        {"branch_guid": KYIV, "to_supervisors": True}, {"branch_guid": LVIV,
                                                         "to_supervisors": True},
        {"branch_guid": None, "to_supervisors": True}, {"to_email": "teller.lviv@hub.test"},
        {"branch_guid": LVIV, "to_supervisors": False, "to_email": "sup.none@hub.test"},
        {"to_email": "ho@hub.test", "branch_guid": KYIV}, {"to_email": "nobody@hub.test"}]

    async def body(engine: AsyncEngine) -> None:
        bus = events.EventBus(engine)
        await bus.poke()
        cursors = {r.email: bus.top for r in readers}
        got: dict[str, list[int]] = {r.email: [] for r in readers}
        for n in range(30):
            await _emit(engine, f"e{n}", **addressed[(n * 5) % len(addressed)])
            if n % 3 == 2:
                await bus.poke()
                for r in readers:
                    while True:
                        found, cursors[r.email] = await events.scan(
                            engine, bus, r, cursors[r.email], LIMIT)
                        got[r.email].extend(e.id for e in found)
                        if len(found) < LIMIT:
                            break
        for r in readers:  # the table's own answer, read at once from the start
            truth = [e.id for e in await events.after(engine, r, 0, 1000)]
            assert got[r.email] == truth, r.email
            assert truth, r.email  # each reader had something to get

    run_on_engine(db_url, body)
