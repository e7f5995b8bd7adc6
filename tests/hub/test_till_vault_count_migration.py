"""Revision 0009 on a database where first vault counts raced before it (SQLite and
PostgreSQL): of a branch's counts waiting at once only the newest still waits, the others
are superseded as a newer count supersedes one (by its counter, when it was filed); other
branches and decided counts are left as they were. After it, a second waiting count of a
branch is refused by the database itself."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from migration_steps import empty_database, upgrade_seeded
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

INSERT = sa.text(
    "INSERT INTO vault_counts (id, branch_key, counts, counted_minor, book_minor, "
    "difference_minor, counted_by, state, created_at) VALUES (:id, :branch, '{}', 100, 0, "
    "100, :by, :state, :at)")

BEFORE = [  # (id, branch, counted by, state, created at)
    ("a1", "A", "s1", "pending", 10), ("a3", "A", "s3", "pending", 20),
    ("a2", "A", "s2", "pending", 20),  # a tie on the clock: the id decides (a3 is newer)
    ("a0", "A", "s0", "applied", 30), ("b1", "B", "s1", "pending", 10),
    ("c1", "", "s1", "superseded", 10), ("c2", "", "s2", "superseded", 20),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


async def _counts_before(conn: AsyncConnection) -> None:
    for id_, branch, by, state, at in BEFORE:
        await conn.execute(INSERT, {"id": id_, "branch": branch, "by": by, "state": state,
                                    "at": at})


async def _refused(conn: AsyncConnection, id_: str, branch: str, state: str) -> bool:
    """Is this count refused by the database (in a savepoint: the test goes on)?"""
    try:
        async with conn.begin_nested():
            await conn.execute(INSERT, {"id": id_, "branch": branch, "by": "s9",
                                        "state": state, "at": 40})
        return False
    except sa.exc.IntegrityError:
        return True


def test_counts_waiting_at_once_leave_the_newest_waiting(empty_db: str) -> None:
    async def run() -> tuple[list[Any], dict[str, bool]]:
        engine = create_async_engine(empty_db)
        try:
            await upgrade_seeded(engine, "0008", _counts_before)
            async with engine.connect() as conn:
                rows = list((await conn.execute(sa.text(
                    "SELECT id, state, decided_by, decided_at FROM vault_counts "
                    "ORDER BY id"))).all())
            async with engine.begin() as conn:
                refused = {"a second pending of A": await _refused(conn, "x1", "A", "pending"),
                           "a second pending of B": await _refused(conn, "x2", "B", "pending"),
                           "a first pending of ''": await _refused(conn, "x3", "", "pending"),
                           "another applied of A": await _refused(conn, "x4", "A", "applied")}
            return rows, refused
        finally:
            await engine.dispose()

    rows, refused = asyncio.run(run())
    assert [tuple(r) for r in rows] == [
        ("a0", "applied", None, None), ("a1", "superseded", "s3", 20),
        ("a2", "superseded", "s3", 20), ("a3", "pending", None, None),
        ("b1", "pending", None, None), ("c1", "superseded", None, None),
        ("c2", "superseded", None, None)]
    assert refused == {"a second pending of A": True, "a second pending of B": True,
                       "a first pending of ''": False, "another applied of A": False}
