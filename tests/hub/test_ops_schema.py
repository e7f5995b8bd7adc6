"""Upgrades: a database migrated by a newer hub keeps the older processes ready (they serve
until restarted; ``/readyz`` says ``"schema": "newer"`` and the log warns once), and their
``migrate`` says to upgrade the hub (exit 2, no Alembic traceback); a database behind the hub
is not ready. Three ``teller-hub migrate`` at once on a fresh database all succeed. Real hub
processes and CLI, SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from hub_proc import HubProc, database_admin_token, database_master_key, hub_cli, start_hub
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import migrate

FUTURE = "0999_from_a_newer_hub"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _env(db_url: str) -> dict[str, str]:
    return {"TELLER_HUB_DATABASE_URL": db_url, "TELLER_HUB_LOG_LEVEL": "info",
            "TELLER_HUB_MASTER_KEY": base64.b64encode(database_master_key(db_url)).decode(),
            "TELLER_HUB_ADMIN_TOKEN": database_admin_token(db_url)}


def _stamp(db_url: str, revision: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                               {"v": revision})
    run_on_engine(db_url, body)


def _warnings(hub: HubProc) -> list[dict[str, object]]:
    lines = [json.loads(ln) for ln in hub.log().splitlines() if ln.startswith("{")]
    return [ln for ln in lines if ln.get("level") == "warning"
            and "newer than this hub" in str(ln.get("msg"))]


def test_old_hubs_stay_ready_on_a_newer_database(db_url: str, tmp_path: Path) -> None:
    env = _env(db_url)
    running = start_hub(tmp_path / "running", env)
    try:
        with running.client() as c:
            assert c.get("/readyz").json()["schema"] == "current"
            _stamp(db_url, FUTURE)  # a newer hub's `teller-hub migrate` ran meanwhile
            for _ in range(3):
                r = c.get("/readyz")
                assert r.status_code == 200, r.text
                assert r.json() == {"status": "ready", "revision": FUTURE, "schema": "newer"}
        assert [w["revision"] for w in _warnings(running)] == [FUTURE]  # once

        # the old version's migrate: one clear line, exit 2, nothing changed
        again = hub_cli("migrate", "--data", str(tmp_path / "cli"), env=env)
        assert again.returncode == 2, again.stderr
        assert (f"the database is newer than this hub (revision {FUTURE}); upgrade the hub"
                in again.stderr)
        assert "Traceback" not in again.stderr and "Can't locate" not in again.stderr
        # a restarted old process still starts, as readiness says
        restarted = start_hub(tmp_path / "restarted", env)
        try:
            with restarted.client() as c:
                assert c.get("/readyz").json()["schema"] == "newer"
            assert len(_warnings(restarted)) == 1
        finally:
            assert restarted.stop() == 0
        # the old CLI keeps working beside it, with a warning
        listed = hub_cli("employees", "list", "--data", str(tmp_path / "cli"), env=env)
        assert listed.returncode == 0 and "newer than this hub" in listed.stderr

        # a database behind this hub (a known older revision) is not ready
        _stamp(db_url, "0001")
        with running.client() as c:
            behind = c.get("/readyz")
            assert behind.status_code == 503 and "migrate" in behind.json()["error"]
    finally:
        _stamp(db_url, migrate.head_revision())
        assert running.stop() == 0


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_parallel_migrations_on_a_fresh_database(dialect: str, request: pytest.FixtureRequest,
                                                 tmp_path: Path) -> None:
    """The losers wait for the winner's lock and then find nothing to do."""
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database("parallel")
    procs = [subprocess.Popen([sys.executable, "-m", "teller_app.hub", "migrate"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "TELLER_HUB_DATABASE_URL": url})
             for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in results]
    assert all(json.loads(out) == {"migrated": migrate.head_revision()} for out, _ in results)

    async def body(engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).all()
            tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        assert [tuple(r) for r in rows] == [(migrate.head_revision(),)]
        assert {"employees", "customer_secrets", "audit_log", "hub_keys"} <= tables
    run_on_engine(url, body)
