"""A revision's test on a database with rows from before it (SQLite or PostgreSQL): an empty
database, migrated up to the revision before, seeded with those rows, then to head."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.hub import migrate


def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Call from a fixture parametrized with "sqlite" / "postgresql"; returns its URL (no
    schema yet)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    return str(request.getfixturevalue("pg_cluster").create_database())


def _upgrade(revision: str) -> Callable[[Any], None]:
    def run(sync_conn: Any) -> None:
        from alembic import command

        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)
    return run


async def upgrade_seeded(engine: AsyncEngine, before: str,
                         seed: Callable[[AsyncConnection], Awaitable[None]]) -> None:
    """Up to revision ``before``, ``seed`` its rows (one transaction), then up to head."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade(before))
    async with engine.begin() as conn:
        await seed(conn)
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade("head"))
