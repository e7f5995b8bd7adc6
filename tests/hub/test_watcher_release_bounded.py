"""A watcher's lease release ends within its own bound (``RELEASE_WITHIN_S``) when the
database cannot take the write, without the shutdown's outer bound: on SQLite whose file
another connection holds locked for writing, and on PostgreSQL that stops answering (a proxy
holds every byte, sockets open). Before, the timeout cancelled the UPDATE but the rollback
of ``engine.begin()`` then queued behind it for SQLite's busy timeout or asyncpg's command
timeout (15 s each). On PostgreSQL with the lease row locked by another transaction the
server itself ends the release's wait (its lock timeout), leaving no statement waiting there.
The hub's own engine (``make_engine``) on its migrated schema."""

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


@pytest.fixture(params=["postgresql"])
def pg_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


_WAITING = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")
_UNGRANTED = "SELECT count(*) FROM pg_locks WHERE NOT granted"


def test_a_lease_row_another_transaction_holds_is_given_up_by_the_server(
        pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """PostgreSQL with its lease row locked by another process: the server itself ends the
    release's UPDATE (its lock timeout, that transaction's only), so nothing of it waits on
    after the release gave up, and its pooled connection goes on with the default timeout.
    Before, the UPDATE waited on the server until the client's 3 s cancelled it."""

    async def run() -> None:
        engine = make_engine(HubSettings(database_url=pg_url))
        other = make_engine(HubSettings(database_url=pg_url))  # another hub process
        state = cast(HubState, SimpleNamespace(engine=engine))
        watcher = Watcher(state, cast(Reader, None))
        try:
            assert await watcher._lease() is None
            async with engine.connect() as conn:  # the pool's one connection, as it was
                pid = (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar()
                lock_was = (await conn.exec_driver_sql("SHOW lock_timeout")).scalar()
                statement_was = (await conn.exec_driver_sql("SHOW statement_timeout")).scalar()
            async with other.connect() as holding, holding.begin():
                await holding.execute(sa.select(leases.c.holder).where(
                    leases.c.name == "watcher").with_for_update())
                with caplog.at_level(logging.WARNING, logger="teller_hub.watcher"):
                    await watcher.release()
                # the lock still held: nothing of the release waits for it on the server
                assert (await holding.exec_driver_sql(_WAITING)).scalar() == 0
                assert (await holding.exec_driver_sql(_UNGRANTED)).scalar() == 0
            errors = [getattr(r, "error", None) for r in caplog.records
                      if r.getMessage() == "watcher lease not released"]
            # ended by the server's lock timeout, not by the client giving up at 3 s
            assert errors and errors[0] not in ("TimeoutError", "CancelledError"), errors
            assert watcher.leading
            assert not [t for t in asyncio.all_tasks()
                        if t.get_name() == "watcher lease release"]  # none given up
            async with engine.connect() as conn:  # the same pooled connection, as before
                assert (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar() == pid
                assert (await conn.exec_driver_sql("SHOW lock_timeout")).scalar() == lock_was
                assert (await conn.exec_driver_sql(
                    "SHOW statement_timeout")).scalar() == statement_was
            await watcher.release()  # the row free again: released (committed)
            assert not watcher.leading
            async with engine.connect() as conn:  # nor after a commit
                assert (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar() == pid
                assert (await conn.exec_driver_sql("SHOW lock_timeout")).scalar() == lock_was
                assert (await conn.exec_driver_sql(
                    "SHOW statement_timeout")).scalar() == statement_was
        finally:
            await asyncio.wait_for(other.dispose(), 20)
            await asyncio.wait_for(engine.dispose(), 20)

    asyncio.run(run())
