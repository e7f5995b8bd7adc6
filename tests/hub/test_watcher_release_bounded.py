"""A watcher's lease release ends within its own bound (``RELEASE_WITHIN_S``) when the
database cannot take the write, without the shutdown's outer bound: on SQLite whose file
another connection holds locked for writing, and on PostgreSQL that stops answering (a proxy
holds every byte, sockets open). Before, the timeout cancelled the UPDATE but the rollback
of ``engine.begin()`` then queued behind it for SQLite's busy timeout or asyncpg's command
timeout (15 s each). The hub's own engine (``make_engine``) on its migrated schema."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
import sqlalchemy as sa
from hold_proxy import HoldProxy
from migrated_db import fresh_database

from teller_app.hub.db import make_engine
from teller_app.hub.dcm_reader import Reader
from teller_app.hub.fe_tables import leases
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState
from teller_app.hub.watcher import RELEASE_BUSY_MS, RELEASE_WITHIN_S, Watcher

WITHIN_S = RELEASE_WITHIN_S + 3  # the bound plus a margin; without it: 15 s or more


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(kind, the URL the watcher's engine uses): PostgreSQL's through a proxy to hold."""
    url = fresh_database(request, tmp_path)
    if request.param == "sqlite":
        yield "sqlite", url
        return
    port = request.getfixturevalue("pg_cluster").port
    proxy = HoldProxy(port)
    request.node.proxy = proxy
    try:
        yield "postgresql", url.replace(f":{port}/", f":{proxy.port}/")
    finally:
        proxy.close()


@contextlib.contextmanager
def _unanswered(kind: str, url: str, request: pytest.FixtureRequest) -> Iterator[None]:
    """The database takes no write until the block ends."""
    if kind == "sqlite":
        path = url.split("///", 1)[1]
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as lock:
            lock.execute("BEGIN IMMEDIATE")  # another writer: the watcher's write waits
            yield
            lock.execute("ROLLBACK")
        return
    proxy: HoldProxy = request.node.proxy
    proxy.hold()
    try:
        yield
    finally:
        proxy.release()


def test_a_release_the_database_cannot_take_ends_within_its_bound(
        db: tuple[str, str], request: pytest.FixtureRequest,
        caplog: pytest.LogCaptureFixture) -> None:
    kind, url = db

    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        state = cast(HubState, SimpleNamespace(engine=engine))
        watcher = Watcher(state, cast(Reader, None))
        try:
            assert await watcher._lease() is None  # taken (first run: no cursor)
            assert watcher.leading
            with _unanswered(kind, url, request), caplog.at_level(
                    logging.WARNING, logger="teller_hub.watcher"):
                t0 = time.monotonic()
                await watcher.release()
                took = time.monotonic() - t0
            assert took < WITHIN_S, took
            assert "watcher lease not released" in caplog.messages
            assert watcher.leading  # not released: it expires on its own
            # what was given up on ends by itself once the database answers again
            left = {t for t in asyncio.all_tasks() if t.get_name() == "watcher lease release"}
            if left:
                await asyncio.wait(left, timeout=20)
                assert all(t.done() for t in left)
            async with engine.connect() as conn:  # the pooled connections work as before
                holder = (await conn.execute(sa.select(leases.c.holder).where(
                    leases.c.name == "watcher"))).scalar()
            assert holder == watcher.holder
            await watcher.release()  # the database answers: released
            assert not watcher.leading
            if kind == "sqlite":  # the release's shorter wait is not left on a pooled one
                async with engine.connect() as conn:
                    waits = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
                assert waits != RELEASE_BUSY_MS and waits >= 10_000, waits
        finally:
            await asyncio.wait_for(engine.dispose(), 20)

    asyncio.run(run())
