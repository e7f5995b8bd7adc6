"""A hub process's memory of its own spent DCM token ids (SQLite and PostgreSQL): it holds
about call rate x token lifetime (expired ids leave from the front as new ones come), is never
rebuilt whole by a spend, and a repeat is still refused, from memory or by the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import token_replay
from teller_app.hub.token_replay import JtiLedger

LIFETIME = 10  # seconds a token (with its leeway) could still pass the expiry check
PER_SECOND = 5


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    t = [1_900_000_000]
    monkeypatch.setattr(token_replay, "now", lambda: t[0])
    return t


def test_memory_holds_only_live_ids(db_url: str, clock: list[int],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_replay, "SEEN_MAX", 1000)  # far above the live ones

    async def body(engine: AsyncEngine) -> None:
        ledger = JtiLedger(engine)
        seen = ledger._seen
        live_max = PER_SECOND * (LIFETIME + 1)  # ids with expires_at >= now
        sizes = []
        try:
            for second in range(3 * LIFETIME):
                for n in range(PER_SECOND):
                    assert await ledger.spend(f"t{second}-{n}", clock[0] + LIFETIME)
                    sizes.append(len(ledger._seen))
                clock[0] += 1
            assert ledger._seen is seen  # never rebuilt by a spend
            assert max(sizes) <= live_max, sizes
            assert not await ledger.spend(f"t{3 * LIFETIME - 1}-0", clock[0] + LIFETIME)
            assert token_replay.jti_hash("t0-0") not in ledger._seen
            assert len(ledger._seen) <= live_max
            # forgotten here, still refused: the database decides
            assert not await ledger.spend("t0-0", clock[0] + LIFETIME)
        finally:
            await asyncio.gather(*ledger._pruning, return_exceptions=True)

    run_on_engine(db_url, body)


def test_past_the_cap_the_oldest_goes_one_at_a_time(
        db_url: str, clock: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """More live ids than SEEN_MAX: each spend forgets the oldest one, never walks them all."""
    monkeypatch.setattr(token_replay, "SEEN_MAX", 20)

    async def body(engine: AsyncEngine) -> None:
        ledger = JtiLedger(engine)
        seen = ledger._seen
        try:
            for n in range(60):
                assert await ledger.spend(f"live-{n}", clock[0] + 3600)
                assert len(ledger._seen) <= 20
                assert ledger._seen is seen
            assert list(ledger._seen) == [token_replay.jti_hash(f"live-{n}")
                                          for n in range(40, 60)]
            assert not await ledger.spend("live-59", clock[0] + 3600)  # from memory
            assert not await ledger.spend("live-0", clock[0] + 3600)  # by the database
        finally:
            await asyncio.gather(*ledger._pruning, return_exceptions=True)

    run_on_engine(db_url, body)
