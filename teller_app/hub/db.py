"""Tables (SQLAlchemy Core), the async engine and the migration helpers.

Times are integer Unix seconds so SQLite and PostgreSQL compare them the same way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .files import private_dir
from .settings import HubSettings, SettingsError

metadata = sa.MetaData()
POOL_RECYCLE_S = 1800  # below the idle limits of firewalls and poolers in front of PostgreSQL
IDLE_IN_TRANSACTION_MS = 30_000

employees = sa.Table(
    "employees", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("roles", sa.String(200), nullable=False),  # comma-separated
    sa.Column("branch_guid", sa.String(64), nullable=True),
    sa.Column("head_office", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 hex of the bearer token
    sa.Column("email", sa.String(254), nullable=False, index=True),
    sa.Column("source", sa.String(16), nullable=False),  # hub | dcm
    sa.Column("employee", sa.Text, nullable=False),  # JSON snapshot at sign-in
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
)

customer_secrets = sa.Table(
    "customer_secrets", metadata,
    sa.Column("external_id", sa.String(500), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # customer | keykeeper
    sa.Column("branch_guid", sa.String(64), nullable=True),  # None: head office
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("created_by", sa.String(254), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False, index=True),  # phone_holders
)


def now() -> int:
    return int(time.time())


def make_engine(settings: HubSettings) -> AsyncEngine:
    url_text = settings.effective_database_url
    try:
        url = make_url(url_text)
    except sa.exc.ArgumentError:
        raise SettingsError("database_url is not a valid SQLAlchemy URL") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError("database_url must be sqlite+aiosqlite:// or postgresql+asyncpg://")
    if url.get_backend_name() == "sqlite":
        if url.drivername != "sqlite+aiosqlite":
            url = url.set(drivername="sqlite+aiosqlite")
        if url.database and url.database != ":memory:":
            db_path = Path(url.database)
            private_dir(db_path.parent)
            if not db_path.exists():
                db_path.touch(mode=0o600)
        engine = create_async_engine(url, connect_args={"timeout": 15})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if url.drivername != "postgresql+asyncpg":
        url = url.set(drivername="postgresql+asyncpg")
    # Bounded waits: a database that stops answering (connections left open) gives 503 within
    # these, never a request hung for the whole outage (docs/OPERATIONS.md: "Database pool").
    return create_async_engine(
        url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s, pool_recycle=POOL_RECYCLE_S,
        pool_pre_ping=True,
        connect_args={
            "timeout": settings.db_connect_timeout_s,  # asyncpg.connect: connect + auth
            "command_timeout": settings.db_command_timeout_s,  # each statement
            # a transaction left open by a stuck request releases its locks
            "server_settings": {"idle_in_transaction_session_timeout":
                                str(IDLE_IN_TRANSACTION_MS)},
        })


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def dialect_insert(conn: AsyncConnection, table: sa.Table) -> Any:
    """INSERT with ``on_conflict_do_nothing`` for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


async def delete_in_batches(engine: AsyncEngine, key: sa.Column[Any],
                            *where: sa.ColumnElement[bool], batch: int, rounds: int) -> int:
    """Delete the rows of ``key``'s table matching ``where``, ``batch`` rows a transaction,
    at most ``rounds`` batches (the rest waits for the next call); rows another process holds
    are skipped on PostgreSQL, never waited for. Returns how many went."""
    table = key.table
    gone = 0
    for _ in range(rounds):
        async with engine.begin() as conn:
            old = sa.select(key).where(*where).limit(batch)
            if conn.dialect.name == "postgresql":
                old = old.with_for_update(skip_locked=True)
            result = await conn.execute(sa.delete(table).where(key.in_(old)))
        gone += max(result.rowcount, 0)
        if result.rowcount < batch:
            break
    return gone

