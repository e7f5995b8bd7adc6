"""Revision 0013 (the audit trail's read indexes) on a database with audit rows (SQLite and
PostgreSQL): the three indexes are there with their columns, the old branch index is kept
(dropping it would lock the table), the schema matches the tables the hub declares; an index
IT built beforehand (``CREATE INDEX CONCURRENTLY`` on PostgreSQL) is kept, and an INVALID one
a failed (or running) concurrent build left behind stops the migration, naming it and IT's
command, until IT dropped it; one of that name in another schema does not."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.util import CommandError
from migration_steps import _upgrade, empty_database
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.hub import migrate
from teller_app.hub.fe_tables import audit_log

WANT = {"ix_audit_log_ts_ms_seq": ["ts_ms", "seq"],
        "ix_audit_log_branch_guid_seq": ["branch_guid", "seq"],
        "ix_audit_log_actor_seq": ["actor", "seq"]}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


def _indexes(sync_conn: Any) -> dict[str, tuple[list[str], bool]]:
    return {i["name"]: (list(i["column_names"]), bool(i["unique"]))
            for i in sa.inspect(sync_conn).get_indexes("audit_log")}


def test_the_read_indexes_after_a_build_beforehand(empty_db: str) -> None:
    async def run() -> tuple[dict[str, tuple[list[str], bool]], list[Any], int]:
        engine = create_async_engine(empty_db)
        pg = engine.dialect.name == "postgresql"
        try:
            async with engine.begin() as conn:
                await conn.run_sync(_upgrade("0012"))
                for seq in range(1, 21):
                    await conn.execute(audit_log.insert().values(
                        seq=seq, ts_ms=1000 * seq, actor=f"a{seq % 3}@x.test", desk_id="d",
                        branch_guid=f"b{seq % 2}", action="edit", entity="", detail="{}",
                        prev_hash="0" * 64, hash="0" * 64))
            async with engine.connect() as conn:  # IT, while the hub serves
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                concurrently = "CONCURRENTLY " if pg else ""
                await conn.execute(sa.text(f"CREATE INDEX {concurrently}ix_audit_log_ts_ms_seq "
                                           "ON audit_log (ts_ms, seq)"))
                if pg:  # a concurrent build that failed leaves its index, INVALID
                    with pytest.raises(sa.exc.IntegrityError):
                        await conn.execute(sa.text(
                            "CREATE UNIQUE INDEX CONCURRENTLY ix_audit_log_actor_seq "
                            "ON audit_log (actor)"))
                    # the same name's failed build in another schema is none of 0013's
                    await conn.execute(sa.text("CREATE SCHEMA other"))
                    await conn.execute(sa.text(
                        "CREATE TABLE other.audit_log AS SELECT 1 AS a UNION ALL SELECT 1"))
                    with pytest.raises(sa.exc.IntegrityError):
                        await conn.execute(sa.text(
                            "CREATE UNIQUE INDEX CONCURRENTLY ix_audit_log_branch_guid_seq "
                            "ON other.audit_log (a)"))
            if pg:  # IT is told which index and what to run, nothing is dropped for them
                with pytest.raises(CommandError) as refused:
                    await migrate.upgrade(engine)
                assert "ix_audit_log_actor_seq is INVALID" in str(refused.value)
                assert "DROP INDEX CONCURRENTLY ix_audit_log_actor_seq;" in str(refused.value)
                assert "\n" not in str(refused.value)  # one line for the CLI
                async with engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    assert (await conn.execute(sa.text(  # still at 0012
                        "SELECT version_num FROM alembic_version"))).scalar_one() == "0012"
                    await conn.execute(sa.text(
                        "DROP INDEX CONCURRENTLY ix_audit_log_actor_seq"))
            await migrate.upgrade(engine)
            async with engine.connect() as conn:
                found = await conn.run_sync(_indexes)
                invalid = list((await conn.execute(sa.text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE NOT i.indisvalid AND i.indrelid = 'audit_log'::regclass"
                ))).all()) if pg else []
                # the window's seq range reads the new index
                plan = " ".join(str(r[-1]) for r in (await conn.execute(sa.text(
                    ("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") +
                    "SELECT min(seq), max(seq), count(*) FROM audit_log "
                    "WHERE ts_ms >= 5000 AND ts_ms < 9000"))).all())
                count = int((await conn.execute(sa.text(
                    "SELECT count(*) FROM audit_log"))).scalar_one())
            if not pg:
                assert "ix_audit_log_ts_ms_seq" in plan, plan
            return found, invalid, count
        finally:
            await engine.dispose()

    found, invalid, count = asyncio.run(run())
    assert invalid == [] and count == 20
    for name, columns in WANT.items():
        assert found[name] == (columns, False), found
    assert found["ix_audit_log_branch_guid"] == (["branch_guid"], False), found  # kept
    # the tables the hub declares say the same
    declared = {i.name: [c.name for c in i.columns] for i in audit_log.indexes}
    assert declared == {**WANT, "ix_audit_log_branch_guid": ["branch_guid"]}
