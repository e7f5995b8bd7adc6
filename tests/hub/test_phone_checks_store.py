"""The phone check limit's count (``phone_probe_limit``) on a real migrated database, SQLite
and PostgreSQL: a minute's checks past the limit are refused and not counted, the window's
first refusal alone is recorded, a check given back frees its place, and a new minute starts
afresh (its own refusal row)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import audit
from teller_app.hub.fe_tables import audit_log
from teller_app.hub.phone_probe_limit import (
    WINDOW_S,
    PhoneChecksThrottled,
    charge,
    give_back,
    phone_lookups,
)

LIMIT = 3
TELLER = "teller@hub.test"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _refused(actor: str = TELLER) -> audit.Entry:
    return audit.Entry(actor=actor, action="secret_refused", entity="secret",
                       detail={"refusal": "phone_checks_throttled"})


async def _rows(engine: AsyncEngine) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        found = (await conn.execute(sa.select(audit_log.c.actor, audit_log.c.detail))).all()
    return [{"actor": r.actor, **json.loads(r.detail)} for r in found]


async def _a_minute_passes(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(phone_lookups.update().values(
            window_start=phone_lookups.c.window_start - WINDOW_S))


def test_a_minute_s_checks_past_the_limit_are_refused_and_recorded_once(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        charged = [await charge(engine, LIMIT, _refused()) for _ in range(LIMIT)]
        for _ in range(3):
            with pytest.raises(PhoneChecksThrottled) as refused:
                await charge(engine, LIMIT, _refused())
            assert refused.value.status == 429 and 1 <= refused.value.retry_after <= WINDOW_S
        assert await _rows(engine) == [{"actor": TELLER, "refusal": "phone_checks_throttled"}]
        await charge(engine, LIMIT, _refused("other@hub.test"))  # another's count
        await give_back(engine, charged[0])  # a check that could not run frees its place
        await charge(engine, LIMIT, _refused())
        with pytest.raises(PhoneChecksThrottled):
            await charge(engine, LIMIT, _refused())
        await _a_minute_passes(engine)
        for _ in range(LIMIT):
            await charge(engine, LIMIT, _refused())
        with pytest.raises(PhoneChecksThrottled):
            await charge(engine, LIMIT, _refused())
        assert len(await _rows(engine)) == 2  # the new minute's own row
        assert (await audit.verify(engine)).ok

    run_on_engine(db_url, body)
