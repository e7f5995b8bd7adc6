"""Reads that must add up (a branch's cash: vault + tills + closed tills) taken at one moment.
Each SELECT on its own sees what was committed when it ran (PostgreSQL's READ COMMITTED; SQLite
begins no transaction for a read), so a till closed or a transfer approved by another request or
hub process between two of them was counted twice or lost from the total."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@asynccontextmanager
async def one_snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose reads all see the database as one moment left it: PostgreSQL's
    REPEATABLE READ, read-only (the snapshot is the transaction's first statement's); on
    SQLite an explicit read transaction, which WAL holds at its first read. Ended by a
    rollback: nothing is written through it."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execution_options(isolation_level="REPEATABLE READ",
                                         postgresql_readonly=True)
        else:
            await conn.exec_driver_sql("BEGIN")  # pysqlite begins none before a SELECT
        try:
            yield conn
        finally:
            await conn.rollback()
