"""The sign-in throttle's store on a real database (SQLite and PostgreSQL): two hub processes
share the counts (one key, sealed with the master key), nothing typed lies readable in the
table, a refusal that was not the caller's fault is given back, forgotten counts are pruned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub.crypto import MasterKey
from teller_app.hub.errors import HubError
from teller_app.hub.signin_throttle import (
    FORGET_S,
    FREE_PER_EMAIL,
    SignInThrottle,
    Throttled,
    client_address,
    hub_keys,
    signin_failures,
)

TYPED = "Secret-Password-In-The-Email-Field"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)



def test_processes_share_counts_and_nothing_typed_is_stored(db_url: str) -> None:
    master = MasterKey(os.urandom(32))

    async def body(engine: AsyncEngine) -> None:
        one, two = SignInThrottle(engine, master), SignInThrottle(engine, master)
        for n in range(FREE_PER_EMAIL):
            await (one if n % 2 else two).attempt(email=TYPED)
        with pytest.raises(Throttled):
            await one.attempt(email=TYPED.lower())
        async with engine.connect() as conn:
            dump = repr((await conn.execute(sa.select(signin_failures))).all()) + repr(
                (await conn.execute(sa.select(hub_keys))).all())
        assert TYPED.lower() not in dump.lower()
        # another master key cannot open the stored key: refused, the key and counts kept
        other = SignInThrottle(engine, MasterKey(os.urandom(32)))
        with pytest.raises(HubError) as refused:
            await other.attempt(email=TYPED)
        assert refused.value.status == 503
        async with engine.connect() as conn:
            assert repr((await conn.execute(sa.select(hub_keys))).all()) in dump
        with pytest.raises(Throttled):
            await two.attempt(email=TYPED)

    run_on_engine(db_url, body)


def test_a_forgiven_attempt_is_given_back_and_forgotten_counts_are_pruned(db_url: str) -> None:
    master = MasterKey(os.urandom(32))

    async def body(engine: AsyncEngine) -> None:
        throttle = SignInThrottle(engine, master)
        for _ in range(FREE_PER_EMAIL * 3):  # DCM down: never the employee's fault
            await throttle.forgive(await throttle.attempt(address="198.51.100.4",
                                                          email="a@bank.test"))
        stale = await throttle.attempt(email="stale@bank.test")
        async with engine.begin() as conn:
            await conn.execute(signin_failures.update().where(
                signin_failures.c.key == stale.keys[0][0]).values(
                    last_at=signin_failures.c.last_at - FORGET_S - 1))
        await throttle.succeeded(await throttle.attempt(email="ok@bank.test"))
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(signin_failures))).all()
        assert {r.failures for r in rows} == {0}  # the forgiven ones; stale and ok gone
        assert len(rows) == 2

    run_on_engine(db_url, body)


def test_counted_addresses() -> None:
    assert client_address("127.0.0.1") is None and client_address("::1") is None
    assert client_address("::ffff:127.0.0.1") is None and client_address(None) is None
    assert client_address("testclient") is None
    assert client_address("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_address("2001:db8:1:2:aaaa::1") == client_address("2001:db8:1:2::ffff") \
        == "2001:db8:1:2::/64"
