"""Customers' sealed records opened (``vault_records.customer_records``), the one reader of
the phone checks (``phone_holders``, ``secret_reissue``) and of a retried create's details
(``vault.replace_profile``), on SQLite and PostgreSQL (fresh databases at the newest
schema): which records count (too old, another issuer's, another login's, a key keeper's),
newest first, and a record that does not open: left out by the checks, an error for
``replace_profile``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import secret_reissue, vault
from teller_app.hub.crypto import DecryptError, MasterKey
from teller_app.hub.db import customer_secrets, now
from teller_app.hub.models import SecretIn
from teller_app.hub.phone_holders import PENDING_S, pending_holder
from teller_app.hub.vault_records import customer_records

CP = "cp-guid"
A = "teller.a@bank"
B = "teller.b@bank"
_MASTER = MasterKey(os.urandom(32))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _number() -> str:
    return "+38066" + "".join(secrets.choice("0123456789") for _ in range(7))


def _secret(login: str, number: str) -> SecretIn:
    return SecretIn(external_id=login, branch_guid="kyiv", first_name="Олена", phone=number)


async def _issue(engine: AsyncEngine, master: MasterKey, login: str, by: str, number: str,
                 age_s: int) -> None:
    """A record issued ``age_s`` seconds ago (distinct ages: a known newest-first order)."""
    assert await vault.issue(engine, master, _secret(login, number), created_by=by,
                             counterparty_guid=CP)
    async with engine.begin() as conn:
        await conn.execute(customer_secrets.update().where(
            customer_secrets.c.external_id == login).values(created_at=now() - age_s))


async def _unreadable(engine: AsyncEngine, login: str, how: str) -> None:
    """``login``'s record made one that does not open: sealed by another master key, or a
    sealed profile that is not a JSON object."""
    sealed = MasterKey(os.urandom(32)).seal(login, b"{}") if how == "key" else \
        _MASTER.seal(login, b'["not", "a", "profile"]')
    async with engine.begin() as conn:
        await conn.execute(customer_secrets.update().where(
            customer_secrets.c.external_id == login).values(
                key_id=sealed.key_id, wrapped_key=sealed.wrapped_key,
                ciphertext=sealed.ciphertext))


async def _ids(engine: AsyncEngine, **filters: object) -> list[str]:
    if "external_id" not in filters:
        filters.setdefault("limit", 1000)  # one of the two is required
    async with engine.connect() as conn:
        found = await customer_records(conn, _MASTER, **filters)  # type: ignore[arg-type]
    return [r.external_id for r in found]


def test_the_filters_order_and_unreadable_records(db_url: str) -> None:
    number = _number()

    async def body(engine: AsyncEngine) -> None:
        await _issue(engine, _MASTER, "a.new", A, number, 10)
        await _issue(engine, _MASTER, "b.new", B, number, 20)
        await _issue(engine, _MASTER, "a.mid", A, number, 30)
        await _issue(engine, _MASTER, "a.old", A, number, PENDING_S + 100)
        await _issue(engine, _MASTER, "a.bad", A, number, 5)
        await _issue(engine, _MASTER, "a.list", A, number, 6)
        await _issue(engine, _MASTER, "keykeeper:kk-guid", A, number, 1)
        await _unreadable(engine, "a.bad", "key")
        await _unreadable(engine, "a.list", "list")
        fresh = await _ids(engine, max_age_s=PENDING_S)
        assert fresh == ["a.new", "b.new", "a.mid"]  # no key keeper, none unreadable or old
        assert await _ids(engine) == ["a.new", "b.new", "a.mid", "a.old"]
        async with engine.connect() as conn:
            with pytest.raises(ValueError):  # never the whole vault at once
                await customer_records(conn, _MASTER, max_age_s=PENDING_S)
        assert await _ids(engine, max_age_s=PENDING_S, issued_by=A) == ["a.new", "a.mid"]
        assert await _ids(engine, max_age_s=PENDING_S, not_issued_by=A) == ["b.new"]
        assert await _ids(engine, max_age_s=PENDING_S, not_external_id="a.new") == \
            ["b.new", "a.mid"]
        assert await _ids(engine, external_id="a.mid", issued_by=B) == []
        assert await _ids(engine, external_id="a.old", max_age_s=PENDING_S) == []
        # the limit bounds the records read (opened), unreadable ones too (PENDING_MAX)
        assert await _ids(engine, max_age_s=PENDING_S, limit=2) == []
        assert await _ids(engine, max_age_s=PENDING_S, limit=4) == ["a.new", "b.new"]
        async with engine.connect() as conn:
            record = next(await customer_records(conn, _MASTER, external_id="a.mid"))
            assert record.profile["phone"] == number and record.branch_guid == "kyiv"
            assert number not in repr(record) and "Олена" not in repr(record)
            with pytest.raises(DecryptError):
                next(await customer_records(conn, _MASTER, external_id="a.bad",
                                            skip_unreadable=False))
            with pytest.raises(ValueError):
                next(await customer_records(conn, _MASTER, external_id="a.list",
                                            skip_unreadable=False))

    run_on_engine(db_url, body)


def test_each_caller_s_records(db_url: str) -> None:
    """A retried create's check (``checked_before``): only its own issuer's fresh readable
    record with the number; the number's holder on its way (``pending_holder``): another
    employee's fresh readable record, the newest; ``replace_profile``: an unreadable record
    is an error, not a change."""
    number, stale_number = _number(), _number()

    async def body(engine: AsyncEngine) -> None:
        await _issue(engine, _MASTER, "a.mine", A, number, 10)
        await _issue(engine, _MASTER, "a.old", A, number, PENDING_S + 100)
        await _issue(engine, _MASTER, "b.older", B, number, 40)
        await _issue(engine, _MASTER, "b.newer", B, number, 30)
        await _issue(engine, _MASTER, "b.bad", B, number, 5)
        await _issue(engine, _MASTER, "b.stale", B, stale_number, PENDING_S + 50)
        await _unreadable(engine, "b.bad", "key")

        async def checked(login: str, by: str, phone: str = number) -> bool:
            return await secret_reissue.checked_before(engine, _MASTER, _secret(login, phone),
                                                       by)

        assert await checked("a.mine", A)
        assert not await checked("a.mine", A, _number())  # another number since
        assert not await checked("a.mine", B)  # another issuer's
        assert not await checked("a.old", A)  # too old
        assert not await checked("b.bad", B)  # unreadable: counted as any check
        async with engine.connect() as conn:
            holder = await pending_holder(conn, _MASTER, _secret("c.new", number),
                                          created_by=A)
            assert holder is not None and holder.login == "b.newer"  # not A's, not b.bad
            mine = await pending_holder(conn, _MASTER, _secret("b.newer", number),
                                        created_by=B)
            assert mine is not None and mine.login == "a.mine"  # B's own are not holders
            # a login's own record is not another holder of its number
            assert await pending_holder(conn, _MASTER, _secret("a.mine", number),
                                        created_by=B) is None
            assert await pending_holder(conn, _MASTER, _secret("c.new", stale_number),
                                        created_by=A) is None  # too old to be on its way
        with pytest.raises(DecryptError):
            await vault.replace_profile(engine, _MASTER, _secret("b.bad", _number()),
                                        created_by=B)
        async with engine.connect() as conn:
            stamp = (await conn.execute(sa.select(customer_secrets.c.created_at).where(
                customer_secrets.c.external_id == "b.bad"))).scalar_one()
        assert stamp < now() - 2  # the error rolled its issue time back

    run_on_engine(db_url, body)
