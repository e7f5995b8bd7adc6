"""A fresh hub database at the newest schema per test, on SQLite or PostgreSQL, for tests
that drive the hub's store code directly (no hub process): the hub's own engine settings
(``make_engine``) and its own migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import migrate
from teller_app.hub.db import make_engine
from teller_app.hub.settings import HubSettings


def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Call from a fixture parametrized with "sqlite" / "postgresql"; returns its URL.
    PostgreSQL goes through the session's ``pg_cluster`` (skipped, or failed in CI, without
    the binaries)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    asyncio.run(_upgrade(url))
    return str(url)


async def _upgrade(url: str) -> None:
    engine = make_engine(HubSettings(database_url=url))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def run_on_engine(url: str, body: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    """``body`` with the hub's own engine on ``url``, disposed afterwards."""
    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        try:
            await body(engine)
        finally:
            await engine.dispose()
    asyncio.run(run())
