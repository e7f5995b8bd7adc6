"""GET /audit newest first reads a page's sizes, then its rows: a matching row committed
between the two must not enter at the top and push the page's oldest row out (with the whole
list on one page no cursor is given, so that row would be lost for good). The hub's own
``list_audit`` on its real engine, SQLite and PostgreSQL, another connection's append
committed right after the sizes query."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

from teller_app.hub import audit, routes_audit
from teller_app.hub.models import HubEmployee

EMP = HubEmployee("race@bank.test", "Race", ("Supervisor",), None, True, "hub")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _entry(n: int) -> audit.Entry:
    return audit.Entry(actor=EMP.email, action="other", detail={"n": n}, desk_id="race",
                       branch_guid=None)


@pytest.mark.parametrize("window", [False, True], ids=["no-window", "today"])
def test_a_row_committed_between_sizes_and_rows_loses_no_row(db_url: str,
                                                             window: bool) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            before = [(await audit.append(conn, _entry(n)))[0] for n in range(5)]
        raced: list[int] = []

        async def another_desk_appends() -> None:
            raced.append((await audit.record(engine, _entry(99)))[0])

        def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if not raced and "length" in statement.lower():  # the sizes query, once
                await_only(another_desk_appends())

        sa.event.listen(engine.sync_engine, "after_cursor_execute", after)
        now_ms = int(time.time() * 1000)
        try:
            request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(
                hub=SimpleNamespace(engine=engine))))
            out = await routes_audit.list_audit(
                request, EMP, branch_guid=None, actor=None, action=None,  # type: ignore[arg-type]
                since_ms=now_ms - 86_400_000 if window else None,
                until_ms=now_ms + 86_400_000 if window else None,
                after_seq=0, limit=200, newest_first=True, before_seq=None)
        finally:
            sa.event.remove(engine.sync_engine, "after_cursor_execute", after)
        assert raced, "the race was not staged"
        seqs = [e["seq"] for e in out["entries"]]
        assert set(before) <= set(seqs), (seqs, out["next_before_seq"])
        assert out["next_before_seq"] is None
        assert raced[0] not in seqs  # exactly the rows the sizes saw; it comes on a re-read

    run_on_engine(db_url, body)

