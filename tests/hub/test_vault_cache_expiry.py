"""The Auth Service's cache of sealed records (``vault.SealedCache``) over a real database
(SQLite and PostgreSQL): entries past OWNER_TTL_S go as other records are read, without
being read themselves, so a long-running process holds what it used lately, not every
customer it ever answered for; live ones stay."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import vault
from teller_app.hub.crypto import MasterKey
from teller_app.hub.models import SecretIn

MASTER = MasterKey(os.urandom(32))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    t = [1000.0]
    monkeypatch.setattr(vault, "time", SimpleNamespace(monotonic=lambda: t[0]))
    return t


def test_expired_entries_go_without_being_read(db_url: str, clock: list[float]) -> None:
    async def body(engine: AsyncEngine) -> None:
        logins = [f"cache-{n}@bank" for n in range(8)]
        for login in logins:
            assert await vault.issue(engine, MASTER, SecretIn(
                external_id=login, branch_guid="kyiv", first_name="Олена"),
                created_by="t@bank", counterparty_guid="cp")
        cache = vault.SealedCache()
        for login in logins[:5]:
            assert await vault.sealed(engine, login, cache) is not None
        assert list(cache._items) == logins[:5]

        clock[0] += vault.OWNER_TTL_S / 2  # still trusted: kept
        assert await vault.sealed(engine, logins[5], cache) is not None
        assert list(cache._items) == logins[:6]

        clock[0] += vault.OWNER_TTL_S * 0.75  # the first five are past it, never read again
        assert await vault.sealed(engine, logins[6], cache) is not None
        assert list(cache._items) == logins[5:7]

        clock[0] += vault.OWNER_TTL_S * 2  # a hit on nothing left sweeps too
        assert cache.get(logins[7]) is None
        assert list(cache._items) == []
        found = await vault.sealed(engine, logins[0], cache)  # read again from the database
        assert found is not None and found[0].external_id == logins[0]

    run_on_engine(db_url, body)
