"""Alerts written straight into a real hub's database (as its watcher would), and the inbox's
approvals service over a real hub link with nothing pending: the alerts tests' set-up."""

from __future__ import annotations

import asyncio
from typing import Any

from fe_db import db_url
from hub_proc import HubProc
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.hub.fe_tables import alerts
from teller_app.platform.hub_client import HubClient


def insert_alerts(hub: HubProc, rows: list[dict[str, Any]]) -> None:
    async def run() -> None:
        engine = create_async_engine(db_url(hub))
        try:
            async with engine.begin() as conn:
                await conn.execute(alerts.insert(), rows)
        finally:
            await engine.dispose()
    asyncio.run(run())


class Approvals:
    """The inbox's approvals service: nothing pending, the real hub link."""

    def __init__(self, client: HubClient) -> None:
        self.client = client
        self.link = self

    async def call(self, fn: Any) -> Any:
        return await fn(self.client)

    async def pending(self) -> list[Any]:
        return []
