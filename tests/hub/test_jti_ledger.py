"""The store of spent DCM token ids on a real database (SQLite and PostgreSQL, revision
0006): one winner among concurrent spenders of one jti on separate engines (as separate hub
processes), the jti never stored as sent, expired rows pruned and live ones kept."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import token_replay
from teller_app.hub.db import make_engine
from teller_app.hub.settings import HubSettings
from teller_app.hub.token_replay import JtiLedger, dcm_token_jtis


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def test_one_spender_wins_across_engines(db_url: str) -> None:
    jti = "jti-" + "x" * 40

    async def body(engine: AsyncEngine) -> None:
        other = make_engine(HubSettings(database_url=db_url))  # another process's pool
        mine, theirs, late = JtiLedger(engine), JtiLedger(other), JtiLedger(other)
        try:
            exp = int(time.time()) + 60
            won = await asyncio.gather(*(ledger.spend(jti, exp)
                                         for ledger in [mine, theirs] * 4))
            assert sorted(won) == [False] * 7 + [True]
            assert not await late.spend(jti, exp)
            assert await late.spend(jti + "-2", exp)
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(dcm_token_jtis))).all()
            assert len(rows) == 2 and jti not in repr(rows)
        finally:
            # Each ledger's first spend prunes beside its answer: those tasks hold pooled
            # connections, so they end before either engine is disposed (else a connection
            # is left to the garbage collector, after this test's event loop closed).
            await asyncio.gather(*mine._pruning, *theirs._pruning, *late._pruning,
                                 return_exceptions=True)
            await other.dispose()

    run_on_engine(db_url, body)


def test_expired_rows_are_pruned(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows expired longer than the margin ago go; one expired seconds ago stays: a process
    whose clock is a few seconds ahead must not forget a token a process with the right
    clock still accepts (its expiry check allows 5 s of leeway)."""
    monkeypatch.setattr(token_replay, "PRUNE_BATCH", 3)  # several batches in one prune

    async def body(engine: AsyncEngine) -> None:
        now = int(time.time())
        old = now - token_replay.PRUNE_MARGIN_S - 10
        async with engine.begin() as conn:
            await conn.execute(dcm_token_jtis.insert(), [
                {"jti_hash": token_replay.jti_hash(f"old-{n}"), "expires_at": old}
                for n in range(7)] + [
                {"jti_hash": token_replay.jti_hash("just-expired"), "expires_at": now - 3}])
        ledger = JtiLedger(engine)
        assert await ledger.spend("live", now + 60)  # a process's first spend prunes,
        await asyncio.gather(*ledger._pruning)  # beside its answer
        async with engine.connect() as conn:
            left = (await conn.execute(sa.select(dcm_token_jtis.c.jti_hash))).scalars().all()
        assert sorted(left) == sorted(token_replay.jti_hash(j) for j in ("live", "just-expired"))
        assert await ledger.spend("old-0", now + 60)  # its row is gone: new to us
        assert not await ledger.spend("live", now + 60)
        assert not await JtiLedger(engine).spend("just-expired", now + 60)  # still spent
        assert await ledger.prune() == 0

    run_on_engine(db_url, body)


def test_a_busy_database_does_not_hold_the_answer(db_url: str) -> None:
    """Another transaction holds the table: the spend answers within DCM's 1 s, never later.
    SQLite (one hub process; its one writer under load) answers fresh from memory;
    PostgreSQL (several processes may hold the same token: audit, a replay answered once per
    process while the database was slow) refuses. This process refuses the same jti again
    either way, and the row lands once the table is free."""
    async def body(engine: AsyncEngine) -> None:
        other = make_engine(HubSettings(database_url=db_url))
        exp = int(time.time()) + 60
        ledger = JtiLedger(engine)
        try:
            async with other.connect() as conn:
                if conn.dialect.name == "sqlite":
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    await conn.exec_driver_sql("BEGIN")
                    await conn.exec_driver_sql("LOCK TABLE dcm_token_jtis IN EXCLUSIVE MODE")
                started = time.monotonic()
                fresh = await ledger.spend("busy", exp)
                assert time.monotonic() - started < 0.95  # DCM waits 1 s for the answer
                assert fresh is (conn.dialect.name == "sqlite")
                assert not await ledger.spend("busy", exp)  # this process remembers it
                await conn.exec_driver_sql("ROLLBACK")
            await asyncio.gather(*ledger._pruning)
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(dcm_token_jtis.c.jti_hash))).scalars()
                assert list(rows) == [token_replay.jti_hash("busy")]
        finally:
            await other.dispose()

    run_on_engine(db_url, body)
