"""Revision 0015 on SQLite and PostgreSQL: what a till holds back and owes (``outstanding``,
``set_aside_minor``, ``available_minor``: GET /tills/current, every close, withdrawals,
/cash/preview, transfers) and the cash limits' day totals (``cash_limits._sum``) read only
their own rows by index. They read ``payment_guid NOT IN (SELECT ...)`` of ``cash_voids``,
``cash_failed`` and ``till_ops``, which PostgreSQL never turns into an anti-join (every call
walked ``cash_authorizations`` and hashed the three tables whole: seconds at a million rows)
and SQLite builds as a list of the whole table; and ``cash_authorizations.till_id`` had no
index. The answers stay the same: a till with authorizations voided, read FAILED, counted
(and till ops with no payment: transfers), pending transfers, and other tills, tellers,
customers and days around it; the migration's index over rows that were there, one IT built
beforehand (PostgreSQL: ``CONCURRENTLY``) kept, an INVALID one stopping the migration."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.util import CommandError
from migrated_db import fresh_database
from migration_steps import _upgrade, empty_database
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from teller_app.hub import migrate, till_holding
from teller_app.hub.cash_failed import cash_failed
from teller_app.hub.cash_limits import _sum
from teller_app.hub.db import make_engine
from teller_app.hub.settings import HubSettings
from teller_app.hub.till_tables import (
    cash_authorizations,
    cash_voids,
    till_ops,
    till_transfers,
    tills,
)

TABLES = "cash_authorizations|cash_voids|cash_failed|till_ops|till_transfers|tills"
WANT = {"ix_cash_authorizations_till_id": ["till_id"],
        "ix_cash_authorizations_teller_day": ["teller", "day"],
        "ix_cash_authorizations_customer_guid_day": ["customer_guid", "day"]}
TILL = "till-A"
TELLER = "t1@x"
DAY = "2026-12-07"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


def _till(till_id: str, teller: str, open_minor: int) -> dict[str, Any]:
    return {"id": till_id, "till_code": till_id, "branch_guid": "B1", "teller": teller,
            "state": "open", "active_key": f"B1:{till_id}", "active_teller": teller,
            "opened_at": 1, "open_counts": "{}", "open_minor": open_minor, "desk_id": "d",
            "lease_until": 0}


def _rows() -> dict[str, list[dict[str, Any]]]:
    """Authorizations on TILL (and on till-B, and on none) by TELLER and others, today and
    another day, for two customers; each fourth voided, each fifth read FAILED, each third
    counted (some in till-B's ops); till ops without a payment (transfers); transfers to the
    vault pending or not, on TILL and till-B."""
    auths, voids, failed, ops, moves = [], [], [], [], []
    for i in range(60):
        guid = f"p-{i:03d}"
        auths.append({"payment_guid": guid, "teller": (TELLER, "t2@x")[i % 7 == 0],
                      "till_id": (TILL, TILL, "till-B", None)[i % 4 if i % 9 else 3],
                      "branch_guid": "B1", "customer_guid": ("c1", "c2")[i % 2],
                      "kind": ("withdrawal", "deposit")[i % 3 == 1],
                      "amount_minor": 100 + i, "decision": ("allow", "needs_approval")[i % 5 == 2],
                      "day": (DAY, "2026-12-06")[i % 6 == 5], "created_at": 1000 - i % 10})
        if i % 4 == 1:
            voids.append({"payment_guid": guid, "kind": "void", "actor": TELLER,
                          "owner": TELLER, "reason": "r", "created_at": 1})
        if i % 5 == 3:
            failed.append({"payment_guid": guid, "read_at": 1})
        if i % 3 == 0:
            ops.append({"till_id": (TILL, "till-B")[i % 2], "payment_guid": guid,
                        "kind": "withdrawal", "amount_minor": 100 + i, "delta_minor": -100 - i,
                        "created_at": 2})
    for j in range(4):
        ops.append({"till_id": (TILL, "till-B")[j % 2], "payment_guid": None,
                    "transfer_id": f"tr-{j}", "kind": "to_till", "amount_minor": 5000,
                    "delta_minor": 5000, "created_at": 3})
        moves.append({"id": f"mv-{j}", "till_id": (TILL, "till-B")[j // 2], "branch_guid": "B1",
                      "direction": ("to_vault", "to_till")[j == 3], "amount_minor": 70 + j,
                      "requested_by": TELLER, "state": ("pending", "approved")[j == 1],
                      "created_at": 4})
    failed.append({"payment_guid": "never-authorized", "read_at": 1})
    return {"tills": [_till(TILL, TELLER, 100_000), _till("till-B", "t2@x", 50_000)],
            "auths": auths, "voids": voids, "failed": failed, "ops": ops, "moves": moves}


def _settled(rows: dict[str, list[dict[str, Any]]]) -> tuple[set[str], set[str]]:
    gone = {v["payment_guid"] for v in rows["voids"]} | {f["payment_guid"]
                                                         for f in rows["failed"]}
    counted = {o["payment_guid"] for o in rows["ops"] if o["payment_guid"]}
    return gone, counted


def _unsettled(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    gone, counted = _settled(rows)
    return [a for a in rows["auths"] if a["till_id"] == TILL
            and a["payment_guid"] not in gone | counted]


def _total(rows: dict[str, list[dict[str, Any]]], **match: Any) -> int:
    gone, _counted = _settled(rows)
    but = match.pop("but")
    return sum(a["amount_minor"] for a in rows["auths"] if a["payment_guid"] not in gone
               and a["payment_guid"] != but and all(a[k] == v for k, v in match.items()))


async def _seed(conn: AsyncConnection, rows: dict[str, list[dict[str, Any]]]) -> None:
    for table, key in ((tills, "tills"), (cash_authorizations, "auths"), (cash_voids, "voids"),
                       (cash_failed, "failed"), (till_ops, "ops"), (till_transfers, "moves")):
        await conn.execute(table.insert(), rows[key])


def _record(engine: AsyncEngine) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))
    sa.event.listen(engine.sync_engine, "before_cursor_execute", before)
    return seen


async def _plan(conn: AsyncConnection, statement: str, parameters: Any = ()) -> str:
    """The plan's lines; PostgreSQL's with sequential scans priced out (the tables here are
    tiny), so a plan names an index whenever the query can use one."""
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql("SET enable_seqscan = off")
        rows = (await conn.exec_driver_sql("EXPLAIN " + statement, parameters)).all()
    else:
        rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
    return "\n".join(str(r[-1]).strip() for r in rows)


def _walks(plan: str) -> list[str]:
    """The plan's lines that read a whole table (SQLite ``SCAN t``, also through an index, and
    a subquery's list built from one; PostgreSQL a sequential scan, a subquery hashed whole,
    or an index or bitmap scan with no condition on the index)."""
    lines = plan.splitlines()
    bad = [ln for ln in lines if re.match(rf"(-> +)?SCAN ({TABLES})\b", ln.lstrip("- >"))]
    bad += [ln for ln in lines if "LIST SUBQUERY" in ln]
    bad += [ln for ln in lines if re.search(rf"Seq Scan on ({TABLES})\b", ln)]
    bad += [ln for ln in lines if "hashed SubPlan" in ln]  # a NOT IN's hash of a table
    for k, ln in enumerate(lines):
        m = re.search(rf"Index (Only )?Scan( Backward)? using \S+ on ({TABLES})\b", ln) or \
            re.search(r"Bitmap Index Scan on (\S+)", ln)
        if m:
            rest = lines[k + 1:k + 4]
            if not any("Index Cond" in r for r in rest):
                bad.append(ln)
    return bad


def test_what_a_till_owes_and_the_day_totals_read_by_index_and_answer_the_same(
        url: str) -> None:
    rows = _rows()
    want_out = sorted(_unsettled(rows), key=lambda a: (a["created_at"], a["payment_guid"]))
    deciding = "p-004"  # a withdrawal on TILL by TELLER today, unsettled: left out
    assert deciding in {a["payment_guid"] for a in want_out}
    pending_out = [m for m in rows["moves"] if m["till_id"] == TILL and m["state"] == "pending"
                   and m["direction"] == "to_vault"]
    held = 100_000 + sum(o["delta_minor"] for o in rows["ops"] if o["till_id"] == TILL)

    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        try:
            async with engine.begin() as conn:
                await _seed(conn, rows)
            seen = _record(engine)
            a = cash_authorizations.c
            async with engine.connect() as conn:
                got = await till_holding.outstanding(conn, TILL)
                assert [tuple(r) for r in got] == [
                    (w["payment_guid"], w["kind"], w["amount_minor"]) for w in want_out]
                for but, transfer in (("", ""), (deciding, pending_out[0]["id"])):
                    aside = sum(w["amount_minor"] for w in want_out if w["kind"] == "withdrawal"
                                and w["payment_guid"] != but) + sum(
                        m["amount_minor"] for m in pending_out if m["id"] != transfer)
                    assert aside > 0
                    assert await till_holding.set_aside_minor(
                        conn, TILL, payment_guid=but, transfer_id=transfer) == aside
                    assert await till_holding.available_minor(
                        conn, TILL, payment_guid=but, transfer_id=transfer) == held - aside
                others = a.payment_guid != deciding  # as cash_limits.decide asks
                totals = {
                    "day": (await _sum(conn, a.teller == TELLER, a.day == DAY, others),
                            _total(rows, teller=TELLER, day=DAY, but=deciding)),
                    "allow": (await _sum(conn, a.teller == TELLER, a.day == DAY, others,
                                         a.decision == "allow"),
                              _total(rows, teller=TELLER, day=DAY, decision="allow",
                                     but=deciding)),
                    "customer": (await _sum(conn, a.customer_guid == "c1", a.day == DAY,
                                            others),
                                 _total(rows, customer_guid="c1", day=DAY, but=deciding))}
                for name, (value, expected) in totals.items():
                    assert value == expected and value > 0, name
            reads = [(s, p) for s, p in seen if re.search(rf"\b({TABLES})\b", s)]
            assert len(reads) >= 9
            async with engine.connect() as conn:
                for statement, parameters in reads:
                    plan = await _plan(conn, statement, parameters)
                    assert not _walks(plan), f"{statement}\n{plan}"
                    if "cash_authorizations.till_id =" in statement:
                        assert "ix_cash_authorizations_till_id" in plan, f"{statement}\n{plan}"
        finally:
            await engine.dispose()
    asyncio.run(run())


def _indexes(sync_conn: Any) -> dict[str, list[str]]:
    return {i["name"]: list(i["column_names"])
            for i in sa.inspect(sync_conn).get_indexes("cash_authorizations") if not i["unique"]}


def test_the_indexes_after_a_build_beforehand(empty_db: str) -> None:
    rows = _rows()

    async def run() -> tuple[dict[str, list[str]], list[Any], int]:
        engine = create_async_engine(empty_db)
        pg = engine.dialect.name == "postgresql"
        try:
            async with engine.begin() as conn:
                await conn.run_sync(_upgrade("0014"))
                await _seed(conn, rows)
            async with engine.connect() as conn:  # IT, while the hub serves
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                concurrently = "CONCURRENTLY " if pg else ""
                await conn.execute(sa.text(
                    f"CREATE INDEX {concurrently}ix_cash_authorizations_teller_day "
                    "ON cash_authorizations (teller, day)"))
                if pg:  # a concurrent build that failed leaves its index, INVALID
                    with pytest.raises(sa.exc.IntegrityError):
                        await conn.execute(sa.text(
                            "CREATE UNIQUE INDEX CONCURRENTLY ix_cash_authorizations_till_id "
                            "ON cash_authorizations (till_id)"))
            if pg:  # IT is told which index and what to run; nothing is built meanwhile
                name = "ix_cash_authorizations_till_id"
                with pytest.raises(CommandError) as refused:
                    await migrate.upgrade(engine)
                assert f"{name} is INVALID" in str(refused.value)
                assert f"DROP INDEX CONCURRENTLY {name};" in str(refused.value)
                async with engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    assert (await conn.execute(sa.text(
                        "SELECT version_num FROM alembic_version"))).scalar_one() == "0014"
                    assert "ix_cash_authorizations_customer_guid_day" not in \
                        await conn.run_sync(_indexes)
                    await conn.execute(sa.text(f"DROP INDEX CONCURRENTLY {name}"))
            await migrate.upgrade(engine)
            async with engine.connect() as conn:
                found = await conn.run_sync(_indexes)
                invalid = list((await conn.execute(sa.text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE NOT i.indisvalid"))).all()) if pg else []
                count = int((await conn.execute(sa.text(
                    "SELECT count(*) FROM cash_authorizations"))).scalar_one())
            return found, invalid, count
        finally:
            await engine.dispose()

    found, invalid, count = asyncio.run(run())
    assert invalid == [] and count == len(rows["auths"])
    for name, columns in WANT.items():
        assert found[name] == columns, found
    assert found["ix_cash_authorizations_teller"] == ["teller"]  # kept
    # the table the hub declares says the same (every index, old ones too)
    assert {i.name: [c.name for c in i.columns] for i in cash_authorizations.indexes} == found
