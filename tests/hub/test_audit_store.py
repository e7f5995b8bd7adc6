"""The hub's audit and sign-in stores on a real database (SQLite and PostgreSQL), driven
directly: repeated refusals add a bounded number of rows; employee changes made through the
store (what ``teller-hub employees`` calls) are audited in their own transaction; an
interleaved correct sign-in does not wipe an address's failed guesses; ``audit export-head
--previous`` refuses a chain that no longer reaches the head archived before."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hub_proc import hub_cli
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import audit
from teller_app.hub.crypto import MasterKey
from teller_app.hub.employees import PasswordStore
from teller_app.hub.fe_tables import audit_log
from teller_app.hub.signin_throttle import FREE_PER_EMAIL, SignInThrottle, Throttled

PASSWORD = "a long enough password"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


async def _rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))).all())


def test_repeated_refusals_add_a_bounded_number_of_rows(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        def refusal(actor: str, request: int, reason: str = "own_request") -> audit.Entry:
            return audit.Entry(actor=actor, action="decision_refused",
                               entity=f"request:{request}", detail={"refusal": reason})

        added = [await audit.record_limited(engine, refusal("a@x", 1), cap=5, cap_by="actor")
                 for _ in range(10)]
        assert added[0] is not None and added[1:] == [None] * 9  # once a minute
        assert await audit.record_limited(engine, refusal("a@x", 1, "hash_mismatch"), cap=5,
                                          cap_by="actor") is not None  # another reason
        more = [await audit.record_limited(engine, refusal("a@x", n), cap=5, cap_by="actor")
                for n in range(2, 12)]
        assert sum(r is not None for r in more) == 3  # 5 a minute for this actor in all
        assert await audit.record_limited(engine, refusal("b@x", 1), cap=5,
                                          cap_by="actor") is not None  # others: their own
        throttled = [await audit.record_limited(engine, audit.Entry(
            actor=f"guess{n}@x", action="sign_in_throttled", entity="address:10.0.0.9"),
            cap=3, cap_by="entity") for n in range(6)]
        assert sum(r is not None for r in throttled) == 3  # per address, whatever e-mail
        rows = await _rows(engine)
        assert len(rows) == 1 + 1 + 3 + 1 + 3
        assert (await audit.verify(engine)).ok

    run_on_engine(db_url, body)


def test_employee_changes_are_audited_with_the_change(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        store = PasswordStore(engine)
        email = "marta@bank.test"
        assert await store.add(email, "Марта", PASSWORD, ["Teller"], "b-1", False)
        assert not await store.add(email, "Марта", PASSWORD, ["Teller"], "b-1", False)
        assert await store.authenticate(email, PASSWORD) is not None
        await store.set_disabled(email, True)
        await store.set_disabled(email, False, by="admin")
        await store.reset_password(email, "another long password")
        rows = await _rows(engine)
        assert [r.action for r in rows] == ["employee_added", "employee_disabled",
                                            "employee_enabled", "password_reset"]
        assert {r.entity for r in rows} == {f"employee:{email}"}
        assert {r.branch_guid for r in rows} == {"b-1"}
        assert {r.desk_id for r in rows} == {"hub"}
        by_cli = [r.actor for r in rows if r.action != "employee_enabled"]
        assert all(a.startswith("cli:") for a in by_cli), by_cli  # the CLI's operator
        assert rows[2].actor == "admin"
        assert json.loads(rows[0].detail) == {"employee": email, "roles": ["Teller"],
                                              "head_office": False}
        text = repr(rows)
        assert PASSWORD not in text and "another long password" not in text
        assert "argon2" not in text
        # a refused change leaves nothing in the audit
        with pytest.raises(ValueError, match="no employee"):
            await store.set_disabled("nobody@bank.test", True)
        assert len(await _rows(engine)) == 4

    run_on_engine(db_url, body)


def test_a_correct_sign_in_does_not_wipe_the_addresss_failures(db_url: str) -> None:
    """An insider spraying guesses at others from their desk, with their own correct
    sign-in in between: the address still locks after its free attempts."""
    master = MasterKey(os.urandom(32))
    where = "198.51.100.7"

    async def body(engine: AsyncEngine) -> None:
        throttle = SignInThrottle(engine, master, per_address=4)
        for n in range(3):
            await throttle.attempt(email=f"victim{n}@bank.test", address=where)  # failed
        await throttle.succeeded(await throttle.attempt(email="me@bank.test", address=where))
        await throttle.attempt(email="victim3@bank.test", address=where)  # the 4th guess
        with pytest.raises(Throttled):
            await throttle.attempt(email="victim4@bank.test", address=where)
        # the e-mail's own count is cleared by its success
        for _ in range(FREE_PER_EMAIL + 2):
            await throttle.succeeded(await throttle.attempt(email="me@bank.test"))

    run_on_engine(db_url, body)


def _untriggered(url: str, statement: str) -> list[str]:
    if url.startswith("postgresql"):
        return ["ALTER TABLE audit_log DISABLE TRIGGER USER", statement,
                "ALTER TABLE audit_log ENABLE TRIGGER USER"]
    return ["DROP TRIGGER IF EXISTS audit_log_no_update",
            "DROP TRIGGER IF EXISTS audit_log_no_delete", statement]


def _append(url: str, n: int) -> None:
    async def body(engine: AsyncEngine) -> None:
        for i in range(n):
            await audit.record(engine, audit.Entry(actor="it@bank.test", action="other",
                                                   detail={"n": i}))
    run_on_engine(url, body)


def _export(url: str, data: Path, out: Path, previous: Path | None = None) -> Any:
    extra = ["--previous", str(previous)] if previous else []
    return hub_cli("audit", "export-head", "--out", str(out), "--data", str(data), *extra,
                   env={"TELLER_HUB_DATABASE_URL": url})


def test_export_head_refuses_a_chain_that_no_longer_reaches_the_previous_head(
        db_url: str, tmp_path: Path) -> None:
    _append(db_url, 5)
    monday, tuesday, wednesday = (tmp_path / f"{d}.json" for d in ("mon", "tue", "wed"))
    r = _export(db_url, tmp_path, monday)
    assert r.returncode == 0, r.stderr
    _append(db_url, 3)
    r = _export(db_url, tmp_path, tuesday, previous=monday)  # the chain goes on: fine
    assert r.returncode == 0, r.stderr
    assert json.loads(tuesday.read_text())["seq"] == 8
    # the tail is cut (the rest is a valid chain of its own): refused, nothing written
    statements = _untriggered(db_url, "DELETE FROM audit_log WHERE seq > 6")

    async def cut(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            for s in statements:
                await conn.execute(sa.text(s))
    run_on_engine(db_url, cut)
    r = _export(db_url, tmp_path, wednesday, previous=tuesday)
    assert r.returncode == 1
    assert "no longer reaches the previous head (seq 8)" in r.stderr, r.stderr
    assert "truncated" in r.stderr and not wednesday.exists()
    # against an older head the cut does not reach, the chain still goes on
    assert _export(db_url, tmp_path, wednesday, previous=monday).returncode == 0
