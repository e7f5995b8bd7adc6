"""Does this master key belong to this database?

Every sealed row names the master key that wrapped it (``key_id``, a hash prefix, never the
key). A hub started with another key would seal new secrets no other process can open, and
could not open the old ones: ``teller-hub serve`` and every CLI command that seals check,
before anything is written, that at least one sealed row is on this process's current or a
retired key (``master_key_previous``, a rotation). An empty database takes any key.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from . import migrate
from .crypto import MasterKey
from .db import make_engine
from .settings import HubSettings, SettingsError

SEALED_TABLES = ("customer_secrets", "hub_keys")  # the rows a master key wraps


class KeyMismatch(SettingsError):
    """The database's sealed rows are on other master keys than this process holds."""


def require_match(master: MasterKey, stored: set[str]) -> None:
    """Refuse ``master`` when rows exist and none is on its current or a retired key."""
    known = {master.key_id, *master.retired_ids}
    if stored and not stored & known:
        raise KeyMismatch(
            "this master key does not match the database: its secrets are sealed with key "
            f"id {', '.join(sorted(stored))}, this key is {master.key_id}"
            + (f" (retired: {', '.join(master.retired_ids)})" if master.retired_ids else "")
            + "; give every hub process the key this database was sealed with (master_key, "
            "master_key_file), and a new key only through a rotation (master_key_previous)")


async def stored_key_ids(engine: AsyncEngine) -> set[str]:
    """The master key ids the sealed rows name (none before the first migration)."""
    found: set[str] = set()
    async with engine.connect() as conn:
        present = await conn.run_sync(
            lambda c: [t for t in SEALED_TABLES if sa.inspect(c).has_table(t)])
        for table in present:
            rows = await conn.execute(sa.text(f"SELECT DISTINCT key_id FROM {table}"))
            found.update(str(r[0]) for r in rows)
    return found


async def check_engine(engine: AsyncEngine, master: MasterKey) -> None:
    require_match(master, await stored_key_ids(engine))


def _sqlite_key_ids(path: Path) -> set[str]:
    """The same, read-only with the standard library (the embedded hub's start-up path:
    no engine, no event loop)."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=15)
        try:
            names = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            found: set[str] = set()
            for table in SEALED_TABLES:
                if table in names:
                    found.update(str(r[0]) for r in conn.execute(
                        f"SELECT DISTINCT key_id FROM {table}"))
            return found
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise SettingsError(f"cannot read the database {path}: {exc}") from None


async def _server_check(settings: HubSettings, master: MasterKey) -> str | None:
    engine = make_engine(settings)
    try:
        await check_engine(engine, master)
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()


def check_before_serving(settings: HubSettings, master: MasterKey) -> str | None:
    """``serve``'s check, before it binds: raises ``KeyMismatch``; a database that cannot be
    reached raises the driver's error (the CLI says so, exit 2). Returns the database's
    revision where it was read (PostgreSQL), else None."""
    import asyncio

    if not settings.is_sqlite:
        return asyncio.run(_server_check(settings, master))
    name = make_url(settings.effective_database_url).database or ""
    if name and name != ":memory:" and Path(name).is_file():
        require_match(master, _sqlite_key_ids(Path(name)))
    return None
