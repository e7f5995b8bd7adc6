"""A sign-in that rehashes an outdated password hash never undoes a concurrent password
reset: the rehash writes only while the stored hash is still the one it verified (SQLite and
PostgreSQL, the hub's own store code on a real database)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from migrated_db import fresh_database

from teller_app.hub.db import employees, make_engine
from teller_app.hub.employees import _HASHER, PasswordStore
from teller_app.hub.settings import HubSettings

EMAIL = "rehash@bank.example"
OLD = "old-password-1"
NEW = "new-password-2"
# Cheaper parameters than the hub's: a hash made with them "needs a rehash" at sign-in.
_OUTDATED = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _with_store(url: str, body: Callable[[PasswordStore], Awaitable[None]]) -> None:
    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        try:
            store = PasswordStore(engine)
            assert await store.add(EMAIL, "Ірина", OLD, ["Teller"], None, head_office=True)
            async with engine.begin() as conn:  # as left by an older hub's parameters
                await conn.execute(employees.update().where(employees.c.email == EMAIL)
                                   .values(password_hash=_OUTDATED.hash(OLD)))
            await body(store)
        finally:
            await engine.dispose()
    asyncio.run(run())


async def _stored_hash(store: PasswordStore) -> str:
    async with store.engine.connect() as conn:
        return str((await conn.execute(sa.select(employees.c.password_hash)
                                       .where(employees.c.email == EMAIL))).scalar_one())


class ResetLandsFirst(PasswordStore):
    """The admin's reset commits after this sign-in verified the old hash and before its
    rehash writes: the one interleaving that lost the reset."""

    async def _rehash(self, employee_id: int, verified_hash: str, password: str) -> bool:
        await self.reset_password(EMAIL, NEW)
        return await super()._rehash(employee_id, verified_hash, password)


def test_reset_during_a_sign_in_rehash_wins(db_url: str) -> None:
    async def body(store: PasswordStore) -> None:
        racing = ResetLandsFirst(store.engine)
        # the sign-in itself succeeds: the password was right when it was checked
        assert await racing.authenticate(EMAIL, OLD) is not None
        assert await store.authenticate(EMAIL, NEW) is not None
        assert await store.authenticate(EMAIL, OLD) is None
    _with_store(db_url, body)


def test_rehash_writes_only_over_the_hash_it_verified(db_url: str) -> None:
    async def body(store: PasswordStore) -> None:
        outdated = await _stored_hash(store)
        assert await store.authenticate(EMAIL, OLD) is not None  # unchanged: rehashed
        current = await _stored_hash(store)
        assert current != outdated and not _HASHER.check_needs_rehash(current)
        assert await store.authenticate(EMAIL, OLD) is not None  # same password, new hash

        verified = current  # what the next sign-in verified ...
        await store.reset_password(EMAIL, NEW)  # ... before this reset committed
        reset = await _stored_hash(store)
        async with store.engine.connect() as conn:
            emp_id = (await conn.execute(sa.select(employees.c.id)
                                         .where(employees.c.email == EMAIL))).scalar_one()
        assert await store._rehash(int(emp_id), verified, OLD) is False
        assert await _stored_hash(store) == reset
        assert await store.authenticate(EMAIL, NEW) is not None
        assert await store.authenticate(EMAIL, OLD) is None
    _with_store(db_url, body)
