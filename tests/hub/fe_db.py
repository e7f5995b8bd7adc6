"""Direct database reads for hub tests (the hub's own DB, SQLite file or PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from hub_proc import HubProc
from sqlalchemy.ext.asyncio import create_async_engine


def db_url(hub: HubProc) -> str:
    return hub.env.get("TELLER_HUB_DATABASE_URL") or \
        f"sqlite+aiosqlite:///{hub.data_dir / 'hub.db'}"


def scalar(hub: HubProc | str, sql: str, **params: Any) -> Any:
    url = hub if isinstance(hub, str) else db_url(hub)

    async def run() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(sa.text(sql), params)).scalar()
        finally:
            await engine.dispose()
    return asyncio.run(run())


def execute(hub: HubProc | str, sql: str, **params: Any) -> None:
    """One statement in a transaction of its own (a test's write behind the hub's back)."""
    url = hub if isinstance(hub, str) else db_url(hub)

    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(sa.text(sql), params)
        finally:
            await engine.dispose()
    asyncio.run(run())
