"""Revision 0008 on a database with closes made before it (SQLite and PostgreSQL): each
till code's closes are numbered in the clock's order, the id breaking a tie, so "previous
close" picks the same close as before the upgrade and every close after it comes later; a
live session stays the only one of its code (the unique key survives the change)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from migration_steps import empty_database, upgrade_seeded
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

INSERT = sa.text(
    "INSERT INTO tills (id, till_code, branch_guid, teller, state, opened_at, open_counts, "
    "open_minor, desk_id, lease_until, version, closed_at, close_minor, active_key, "
    "active_teller) VALUES (:id, :code, 'B', :teller, :state, 0, '{}', 0, 'd', 0, 0, :at, "
    ":minor, :key, :live)")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


async def _closes_before(conn: AsyncConnection) -> None:
    for tid, code, at in (("a", "T1", 100), ("b", "T1", 100), ("c", "T1", 90),
                          ("d", "T2", 100), ("e", "T1", 150)):
        await conn.execute(INSERT, {"id": tid, "code": code, "teller": "t", "state": "closed",
                                    "at": at, "minor": 1, "key": None, "live": None})
    await conn.execute(INSERT, {"id": "f", "code": "T1", "teller": "t2", "state": "open",
                                "at": None, "minor": None, "key": "B:T1", "live": "t2"})


def test_closes_before_the_upgrade_are_numbered_by_the_clock(empty_db: str) -> None:
    async def run() -> tuple[list[Any], bool]:
        engine = create_async_engine(empty_db)
        try:
            await upgrade_seeded(engine, "0007", _closes_before)
            async with engine.connect() as conn:
                rows = list((await conn.execute(sa.text(
                    "SELECT id, close_seq FROM tills ORDER BY id"))).all())
            try:
                async with engine.begin() as conn:
                    await conn.execute(INSERT, {"id": "g", "code": "T1", "teller": "t3",
                                                "state": "open", "at": None, "minor": None,
                                                "key": "B:T1", "live": "t3"})
                unique = False
            except sa.exc.IntegrityError:
                unique = True
            return rows, unique
        finally:
            await engine.dispose()

    rows, unique = asyncio.run(run())
    assert [tuple(r) for r in rows] == [("a", 2), ("b", 3), ("c", 1), ("d", 1), ("e", 4),
                                        ("f", None)]
    assert unique  # a second live session of T1 is still refused
