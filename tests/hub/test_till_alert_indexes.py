"""Revision 0014 on SQLite and PostgreSQL: a branch's cash position, the alerts list and the
events prune read by index (they walked ``tills``, ``till_transfers``, ``alerts`` and
``events`` whole: ``coalesce(branch_guid, '') = ?`` serves no index, and state / ts_ms had
none) and give the same answers, a head-office till (branch NULL or ``''``) included; the
migration's indexes over rows that were there, one IT built beforehand (PostgreSQL:
``CONCURRENTLY``) kept, an INVALID one stopping the migration (naming it and IT's command)
until IT dropped it, the old branch index kept; the same as the tables declare."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.util import CommandError
from migrated_db import fresh_database
from migration_steps import _upgrade, empty_database
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from teller_app.hub import events, migrate, till_position
from teller_app.hub.db import make_engine
from teller_app.hub.fe_tables import alerts
from teller_app.hub.fe_tables import events as events_table
from teller_app.hub.models import HubEmployee
from teller_app.hub.settings import HubSettings
from teller_app.hub.till_tables import till_transfers, tills

WANT = {"tills": {"ix_tills_branch_guid_state_till_code_close_seq": [
    "branch_guid", "state", "till_code", "close_seq"]},
        "till_transfers": {"ix_till_transfers_state_branch_guid": ["state", "branch_guid"]},
        "alerts": {"ix_alerts_state_id": ["state", "id"],
                   "ix_alerts_branch_guid_state_id": ["branch_guid", "state", "id"]},
        "events": {"ix_events_ts_ms": ["ts_ms"]}}
TABLES = "tills|till_transfers|numbered|alerts|events"
# (PostgreSQL may take the older ix_tills_branch_guid, kept, on a table this small)
BY_BRANCH = {"tills": "ix_tills_branch_guid", "till_transfers": "ix_till_transfers_state_"}
HEAD = HubEmployee("ho@x", "HO", ("Supervisor",), None, True, "hub")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


def _till(i: int, code: str, branch: str | None, state: str, **kw: Any) -> dict[str, Any]:
    live = state != "closed"
    row = {"id": f"till-{i:04d}", "till_code": code, "branch_guid": branch, "teller": f"t{i}@x",
           "state": state, "active_key": f"{branch or ''}:{code}:{i}" if live else None,
           "active_teller": f"t{i}@x" if live else None, "opened_at": 1000 + i,
           "open_counts": "{}", "open_minor": 100 * i, "desk_id": "d",
           "lease_until": 0, "closed_at": None if live else 2000 + i,
           "close_minor": None if live else 1000 + i, "close_seq": None}
    return {**row, **kw}


def _rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tills of branch B1, of B2 and of head office (NULL and ''): live ones, codes closed
    several times (numbered, and one close older than revision 0008 without a number, which
    ranks after the numbered ones at or before its time), a code both live and closed; and
    transfers pending or not in each."""
    sessions: list[dict[str, Any]] = []
    i = 0
    for branch in ("B1", "B2", None, ""):
        for code, closes in (("T1", 3), ("T2", 2), ("T3", 1)):
            for n in range(closes):
                i += 1
                seq = None if (code in ("T1", "T2") and n == 1) else n + 1
                sessions.append(_till(i, code, branch, "closed", close_seq=seq))
        i += 1
        sessions.append(_till(i, "T3", branch, "open"))
        i += 1
        sessions.append(_till(i, f"L{i}", branch, ("cosign", "close_cosign")[i % 2]))
    moves = []
    for j, s in enumerate(sessions):
        moves.append({"id": f"tr-{j:04d}", "till_id": s["id"], "branch_guid": s["branch_guid"],
                      "direction": "to_till", "amount_minor": 10 + j, "requested_by": "t@x",
                      "state": ("pending", "approved", "rejected")[j % 3],
                      "created_at": 1000 + j})
    return sessions, moves


def _expected(sessions: list[dict[str, Any]], moves: list[dict[str, Any]],
              branch: str | None) -> tuple[list[str], list[str], list[str]]:
    """What the position shows, by its definition: live tills, the last close of each code
    with no live session, pending transfers (oldest first) of ``coalesce(branch, '')``."""
    def mine(r: dict[str, Any]) -> bool:
        return (r["branch_guid"] or "") == (branch or "")
    live = sorted((r for r in sessions if mine(r) and r["state"] != "closed"),
                  key=lambda r: r["till_code"])
    live_codes = {r["till_code"] for r in live}
    mine_closed = [r for r in sessions if mine(r) and r["state"] == "closed"]

    def rank(r: dict[str, Any]) -> tuple[int, int, str]:
        if r["close_seq"] is not None:
            return r["close_seq"] * 2, r["closed_at"], r["id"]
        before = max((n["close_seq"] for n in mine_closed if n["till_code"] == r["till_code"]
                      and n["close_seq"] is not None and n["closed_at"] <= r["closed_at"]),
                     default=0)
        return before * 2 + 1, r["closed_at"], r["id"]
    closed = {c: max((r for r in mine_closed if r["till_code"] == c), key=rank)
              for c in {r["till_code"] for r in mine_closed} - live_codes}
    pending = sorted((m for m in moves if mine(m) and m["state"] == "pending"),
                     key=lambda m: (m["created_at"], m["id"]))
    return ([r["id"] for r in live], [closed[c]["id"] for c in sorted(closed)],
            [m["id"] for m in pending])


def _record(engine: AsyncEngine) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "DELETE")):
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
    """The plan's lines that read a whole table (SQLite ``SCAN t``, also through an index;
    PostgreSQL a sequential scan, or an index scan with no condition on the index)."""
    lines = plan.splitlines()
    bad = [ln for ln in lines if re.match(rf"(-> +)?SCAN ({TABLES})\b", ln.lstrip("- >"))]
    bad += [ln for ln in lines if re.search(rf"Seq Scan on ({TABLES})\b", ln)]
    for k, ln in enumerate(lines):
        m = re.search(rf"Index (Only )?Scan( Backward)? using \S+ on ({TABLES})\b", ln)
        if m:
            rest = lines[k + 1:k + 4]
            if not any("Index Cond" in r for r in rest):
                bad.append(ln)
    return bad


@pytest.mark.parametrize("branch", ["B1", None, ""])
def test_the_position_reads_by_index_and_answers_the_same(url: str, branch: str | None) -> None:
    sessions, moves = _rows()

    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        try:
            async with engine.begin() as conn:
                await conn.execute(tills.insert(), sessions)
                await conn.execute(till_transfers.insert(), moves)
            seen = _record(engine)
            got = await till_position.position(engine, HEAD, branch)
            live, closed, pending = _expected(sessions, moves, branch)
            assert [t["id"] for t in got["tills"]] == live
            assert [t["id"] for t in got["closed_tills"]] == closed
            assert [p["id"] for p in got["pending_transfers"]] == pending
            assert got["in_closed_tills"] == "%.2f" % (sum(
                1000 + int(c.split("-")[1]) for c in closed) / 100)
            reads = [(s, p) for s, p in seen if re.search(r"\b(tills|till_transfers)\b", s)]
            assert len(reads) >= 3
            async with engine.connect() as conn:
                for statement, parameters in reads:
                    plan = await _plan(conn, statement, parameters)
                    assert not _walks(plan), f"{statement}\n{plan}"
                    for table, index in BY_BRANCH.items():  # by branch: an index on it
                        if re.search(rf"FROM {table}\b", statement) and \
                                "branch_guid" in statement.split("WHERE", 1)[-1]:
                            assert index in plan, f"{statement}\n{plan}"
        finally:
            await engine.dispose()
    asyncio.run(run())


def test_the_alerts_list_and_the_prune_read_by_index(url: str) -> None:
    now_ms = int(time.time() * 1000)
    day = 86_400_000

    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        try:
            async with engine.begin() as conn:
                await conn.execute(alerts.insert(), [
                    {"customer_guid": f"c{i}", "branch_guid": (None, "B1", "B2")[i % 3],
                     "detected_at": i, "detail": "{}",
                     "state": ("open", "acknowledged")[i % 2]} for i in range(60)])
                await conn.execute(events_table.insert(), [
                    {"ts_ms": now_ms - (40 - i) * day, "kind": "k", "data": json.dumps({})}
                    for i in range(40)])
            async with engine.connect() as conn:
                for where in ("state = 'open'", "branch_guid = 'B1' AND state = 'open'",
                              "branch_guid IS NULL AND state = 'acknowledged'"):
                    plan = await _plan(conn, f"SELECT * FROM alerts WHERE {where} "
                                             "AND id < 50 ORDER BY id DESC LIMIT 11")
                    assert not _walks(plan), plan
                    assert "ix_alerts_" in plan, plan
                    if conn.dialect.name == "sqlite":
                        assert "TEMP B-TREE" not in plan, plan  # read in id order
            seen = _record(engine)
            gone = await events.prune(engine, now_ms - 30 * day)
            assert gone == 10  # older than 30 days
            statement, parameters = next((s, p) for s, p in seen if s.startswith("DELETE"))
            async with engine.connect() as conn:
                plan = await _plan(conn, statement, parameters)
                left = (await conn.execute(sa.select(sa.func.count()).select_from(
                    events_table))).scalar_one()
            assert left == 30
            assert "ix_events_ts_ms" in plan, plan
        finally:
            await engine.dispose()
    asyncio.run(run())


def _indexes(sync_conn: Any) -> dict[str, dict[str, list[str]]]:
    inspector = sa.inspect(sync_conn)
    return {t: {i["name"]: list(i["column_names"]) for i in inspector.get_indexes(t)
                if not i["unique"]} for t in WANT}  # (unique constraints: no Index)


def test_the_indexes_after_a_build_beforehand(empty_db: str) -> None:
    sessions, moves = _rows()

    async def run() -> tuple[dict[str, dict[str, list[str]]], list[Any], int]:
        engine = create_async_engine(empty_db)
        pg = engine.dialect.name == "postgresql"
        try:
            async with engine.begin() as conn:
                await conn.run_sync(_upgrade("0013"))
                await conn.execute(tills.insert(), sessions)
                await conn.execute(till_transfers.insert(), moves)
            async with engine.connect() as conn:  # IT, while the hub serves
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                concurrently = "CONCURRENTLY " if pg else ""
                await conn.execute(sa.text(
                    f"CREATE INDEX {concurrently}ix_till_transfers_state_branch_guid "
                    "ON till_transfers (state, branch_guid)"))
                if pg:  # a concurrent build that failed leaves its index, INVALID
                    with pytest.raises(sa.exc.IntegrityError):
                        await conn.execute(sa.text(
                            "CREATE UNIQUE INDEX CONCURRENTLY "
                            "ix_tills_branch_guid_state_till_code_close_seq "
                            "ON tills (branch_guid)"))
            if pg:  # IT is told which index and what to run; nothing is built meanwhile
                name = "ix_tills_branch_guid_state_till_code_close_seq"
                with pytest.raises(CommandError) as refused:
                    await migrate.upgrade(engine)
                assert f"{name} is INVALID" in str(refused.value)
                assert f"DROP INDEX CONCURRENTLY {name};" in str(refused.value)
                async with engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    assert (await conn.execute(sa.text(
                        "SELECT version_num FROM alembic_version"))).scalar_one() == "0013"
                    assert "ix_events_ts_ms" not in (await conn.run_sync(_indexes))["events"]
                    await conn.execute(sa.text(f"DROP INDEX CONCURRENTLY {name}"))
            await migrate.upgrade(engine)
            async with engine.connect() as conn:
                found = await conn.run_sync(_indexes)
                invalid = list((await conn.execute(sa.text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE NOT i.indisvalid"))).all()) if pg else []
                count = int((await conn.execute(sa.text(
                    "SELECT count(*) FROM tills"))).scalar_one())
            return found, invalid, count
        finally:
            await engine.dispose()

    found, invalid, count = asyncio.run(run())
    assert invalid == [] and count == len(sessions)
    assert found["tills"]["ix_tills_branch_guid"] == ["branch_guid"]  # kept
    declared = {"tills": tills, "till_transfers": till_transfers, "alerts": alerts,
                "events": events_table}
    for table, names in WANT.items():
        for name, columns in names.items():
            assert found[table][name] == columns, found
        # the tables the hub declares say the same (every index, old ones too)
        assert {i.name: [c.name for c in i.columns] for i in declared[table].indexes} == \
            found[table], table
