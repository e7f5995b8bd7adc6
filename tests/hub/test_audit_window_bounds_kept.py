"""A time window's seq range (``hub/audit_pages.time_window``) is read once for a desk's
pages, not again for each (a head office's month is one scan of millions of index entries a
page), and kept only where it cannot change: a window still open keeps no upper bound, so a
row written into it after the first page is found on the next. The hub's own code on a fresh
database, SQLite and PostgreSQL, statements counted on its real engine."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import audit
from teller_app.hub.audit_pages import time_window

T0 = 978_307_200_000  # 2001-01-01 UTC: before any row the hub writes itself
DAY = 86_400_000


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


async def _append(engine: AsyncEngine, *days: int) -> list[int]:
    async with engine.begin() as conn:
        return [(await audit.append(conn, audit.Entry(
            actor="a@bank", action="other", detail={"day": d}, desk_id="bounds",
            branch_guid=None, ts_ms=T0 + d * DAY)))[0] for d in days]


def _counting(engine: AsyncEngine) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "count(*)" in statement.lower():
            seen.append(statement)
    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen, record


def test_a_windows_range_is_read_once_for_its_pages(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        seqs = await _append(engine, *range(10))
        seen, record = _counting(engine)
        try:
            for _page in range(3):
                async with engine.connect() as conn:
                    window = await time_window(conn, T0 + 2 * DAY, T0 + 5 * DAY)
                assert window is not None
                assert (window.low, window.high) == (seqs[2], seqs[4])
        finally:
            sa.event.remove(engine.sync_engine, "before_cursor_execute", record)
        assert len(seen) == 1, seen

    run_on_engine(db_url, body)


def test_a_window_still_open_finds_a_row_written_after_its_first_page(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _append(engine, *range(10))
        since, until = T0 + 8 * DAY, T0 + 20 * DAY  # ends after the newest row: open
        async with engine.connect() as conn:
            first = await time_window(conn, since, until)
        assert first is not None and first.high is None
        inside, _after = await _append(engine, 15, 25)  # one in it, then one past its end
        async with engine.connect() as conn:
            ended = await time_window(conn, since, until)
        assert ended is not None and ended.high == inside

    run_on_engine(db_url, body)


def test_a_window_just_ended_finds_a_row_from_a_clock_behind(db_url: str) -> None:
    """Day windows end at midnight, where two hub processes' clocks may disagree: a window
    that ended minutes ago keeps no upper bound, so a row from a process whose clock stands
    behind (its ts_ms inside the window, its seq above every row's) is found at once."""
    async def body(engine: AsyncEngine) -> None:
        now = int(time.time() * 1000)
        since, until = now - 10 * 60_000, now - 60_000

        async def at(*stamps: int) -> list[int]:
            async with engine.begin() as conn:
                return [(await audit.append(conn, audit.Entry(
                    actor="a@bank", action="other", detail={}, desk_id="skew",
                    branch_guid=None, ts_ms=ts)))[0] for ts in stamps]

        await at(since - 60_000, since + 60_000, now)  # the window has ended: a row past it
        async with engine.connect() as conn:
            first = await time_window(conn, since, until)
        assert first is not None and first.high is not None
        (behind,) = await at(until - 30_000)
        async with engine.connect() as conn:
            again = await time_window(conn, since, until)
        assert again is not None and again.high == behind

    run_on_engine(db_url, body)
