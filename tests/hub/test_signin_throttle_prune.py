"""Forgotten sign-in failure counts go by the hub's background prune (SQLite and PostgreSQL),
with no successful sign-in to trigger it (a night of failures only), in bounded batches;
counts still in use (recent, or locked) stay."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fe_db import scalar
from fe_helpers import wait_for
from hub_proc import hub_env, start_hub
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import signin_throttle
from teller_app.hub.signin_throttle import FORGET_S, signin_failures


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _seed(db_url: str, old: int) -> None:
    t = int(time.time())
    rows = [{"key": f"old-{n:060d}", "failures": 3, "last_at": t - FORGET_S - 60,
             "locked_until": 0} for n in range(old)]
    rows += [{"key": "recent".ljust(64, "-"), "failures": 2, "last_at": t - 60,
              "locked_until": 0},
             {"key": "locked".ljust(64, "-"), "failures": 9, "last_at": t - FORGET_S - 60,
              "locked_until": t + 3600}]

    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.execute(signin_failures.insert(), rows)

    run_on_engine(db_url, body)


def _keys(db_url: str) -> list[str]:
    async def read(engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            got.extend((await conn.execute(
                sa.select(signin_failures.c.key).order_by(signin_failures.c.key))).scalars())
    got: list[str] = []
    run_on_engine(db_url, read)
    return got


def test_background_prune_without_a_successful_sign_in(
        db_url: str, tmp_path: Path, sandbox: SandboxProcess) -> None:
    _seed(db_url, old=25)
    hub = start_hub(tmp_path / "hub", hub_env(sandbox, db_url))  # nobody signs in
    try:
        count = "SELECT COUNT(*) FROM signin_failures WHERE key LIKE 'old-%'"
        wait_for(lambda: scalar(db_url, count) == 0, timeout=30)
        assert [k[:6] for k in _keys(db_url)] == ["locked", "recent"]
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def test_prune_goes_in_bounded_batches(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signin_throttle, "PRUNE_BATCH", 3)
    _seed(db_url, old=7)

    async def body(engine: AsyncEngine) -> None:
        assert await signin_throttle.prune(engine, rounds=2) == 6  # the rest waits
        assert await signin_throttle.prune(engine) == 1
        assert await signin_throttle.prune(engine) == 0

    run_on_engine(db_url, body)
    assert [k[:6] for k in _keys(db_url)] == ["locked", "recent"]
