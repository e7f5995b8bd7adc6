"""A retry that reuses a secret with the same details (``vault.replace_profile``) counts as
issued now, so it is a create on its way like any other: it must pass the same check as a new
issue (review: that branch skipped ``pending_holder``), with the check and its writes one
issuer's at a time (on SQLite the transaction's first statement is a write: pysqlite starts
the transaction, and SQLite's write lock, only there). The hub's store code on SQLite and
PostgreSQL (fresh databases at the newest schema)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import vault
from teller_app.hub.crypto import MasterKey
from teller_app.hub.db import customer_secrets, now
from teller_app.hub.models import SecretIn
from teller_app.hub.phone_holders import PhoneHeld

NUMBER = "+380661234567"
CP = "cp-guid"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _secret(login: str, number: str = NUMBER) -> SecretIn:
    return SecretIn(external_id=login, branch_guid="kyiv", first_name="Олена", phone=number)


async def _issue(engine: AsyncEngine, master: MasterKey, login: str, by: str) -> None:
    assert await vault.issue(engine, master, _secret(login), created_by=by,
                             counterparty_guid=CP, unique_phone=True)


def test_a_same_details_retry_is_refused_while_another_desks_create_holds_the_number(
        db_url: str) -> None:
    """Teller A's first attempt (login "a.old") is over 5 minutes old, so colleague B's
    create of the same person (login "b.new") passed; A's retry with the same details must
    not pass as well: it is refused, and its issue time stays as it was."""
    master = MasterKey(os.urandom(32))

    async def body(engine: AsyncEngine) -> None:
        await _issue(engine, master, "a.old", "teller.a@bank")
        async with engine.begin() as conn:
            await conn.execute(customer_secrets.update().where(
                customer_secrets.c.external_id == "a.old").values(
                    created_at=customer_secrets.c.created_at - 400))
        await _issue(engine, master, "b.new", "teller.b@bank")  # "a.old" no longer pending
        with pytest.raises(PhoneHeld) as held:
            await vault.replace_profile(engine, master, _secret("a.old"),
                                        created_by="teller.a@bank", unique_phone=True)
        assert held.value.holder.login == "b.new"
        async with engine.connect() as conn:
            stamp = (await conn.execute(sa.select(customer_secrets.c.created_at).where(
                customer_secrets.c.external_id == "a.old"))).scalar_one()
        assert stamp < now() - 300  # rolled back with the refusal
        # the rule off (shared phones): issued again, now
        assert await vault.replace_profile(engine, master, _secret("a.old"),
                                           created_by="teller.a@bank") is False

    run_on_engine(db_url, body)


def test_the_reissue_writes_before_it_reads(db_url: str) -> None:
    """The transaction's first statement (after PostgreSQL's advisory lock) is the UPDATE
    that marks it issued now: on SQLite that takes the write lock before the check reads."""
    master = MasterKey(os.urandom(32))
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split())[:40])

    async def body(engine: AsyncEngine) -> None:
        await _issue(engine, master, "c.one", "teller.c@bank")
        sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            assert await vault.replace_profile(engine, master, _secret("c.one", "+380667654321"),
                                               created_by="teller.c@bank", unique_phone=True)
        finally:
            sa.event.remove(engine.sync_engine, "before_cursor_execute", record)

    run_on_engine(db_url, body)
    ours = [s for s in seen if "pg_advisory_xact_lock" not in s]
    assert ours and ours[0].startswith("UPDATE customer_secrets"), seen
