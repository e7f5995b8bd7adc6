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
        try:
            ledgers = [JtiLedger(engine), JtiLedger(other)] * 4
            exp = int(time.time()) + 60
            won = await asyncio.gather(*(ledger.spend(jti, exp) for ledger in ledgers))
            assert sorted(won) == [False] * 7 + [True]
            assert not await JtiLedger(other).spend(jti, exp)
            assert await JtiLedger(other).spend(jti + "-2", exp)
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(dcm_token_jtis))).all()
            assert len(rows) == 2 and jti not in repr(rows)
        finally:
            await other.dispose()

    run_on_engine(db_url, body)


def test_expired_rows_are_pruned(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_replay, "PRUNE_BATCH", 3)  # several batches in one prune

    async def body(engine: AsyncEngine) -> None:
        now = int(time.time())
        async with engine.begin() as conn:
            await conn.execute(dcm_token_jtis.insert(), [
                {"jti_hash": token_replay.jti_hash(f"old-{n}"), "expires_at": now - 10}
                for n in range(7)])
        ledger = JtiLedger(engine)
        assert await ledger.spend("live", now + 60)  # a process's first spend prunes,
        await asyncio.gather(*ledger._pruning)  # beside its answer
        async with engine.connect() as conn:
            left = (await conn.execute(sa.select(dcm_token_jtis.c.jti_hash))).scalars().all()
        assert left == [token_replay.jti_hash("live")]
        assert await ledger.spend("old-0", now + 60)  # its row is gone: new to us
        assert not await ledger.spend("live", now + 60)
        assert await ledger.prune() == 0

    run_on_engine(db_url, body)
