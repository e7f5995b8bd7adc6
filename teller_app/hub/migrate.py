"""Alembic, driven from code: the scripts ship inside the package (``hub/migrations``), so
``teller-hub migrate`` works from an installed wheel without an alembic.ini."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: AsyncEngine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the newest revision (idempotent)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade_sync)


def _upgrade_sync(sync_conn: Any) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "head")


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision, None if never migrated. A plain query (no alembic context):
    /readyz calls this on every probe."""
    async with engine.connect() as conn:
        has_table = await conn.run_sync(
            lambda c: sa.inspect(c).has_table("alembic_version"))
        if not has_table:
            return None
        row = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).first()
    return None if row is None else str(row[0])
