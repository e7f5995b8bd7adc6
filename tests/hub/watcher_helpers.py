"""One cash watcher pass run by a test, on a running hub's database and DCM, as the holder of
the watcher's lease (the hub's own watcher may be off, or running beside it)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import sqlalchemy as sa
from fe_db import db_url
from fe_helpers import ADMIN, password_of
from hub_proc import HubProc
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine
from till_helpers import _run

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.cash_watcher import CashWatcher
from teller_app.hub.execute import Reader
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState


def watch_pass(hub: HubProc, sandbox: SandboxProcess,
               holder: str | None = None) -> tuple[set[str], int]:
    """(payments the pass settled, alerts it raised) of a new watcher (empty memory) holding
    the lease as ``holder``, or as the lease's current holder when None."""
    async def run() -> tuple[set[str], int]:
        engine = create_async_engine(db_url(hub))
        settings = HubSettings(dcm_url=sandbox.base_url,
                               dcm_counterparty=sandbox.counterparty_guid,
                               dcm_tech_login=ADMIN,
                               dcm_tech_password=SecretStr(password_of(sandbox, ADMIN)))
        state = cast(HubState, SimpleNamespace(settings=settings, engine=engine))
        reader = Reader(state)
        try:
            watcher = CashWatcher(state, reader)
            if holder is None:
                async with engine.connect() as conn:
                    watcher.holder = str((await conn.execute(sa.text(
                        "SELECT holder FROM leases WHERE name = 'cash_watcher'"))).scalar())
            else:
                watcher.holder = holder
            raised = await watcher.tick()
            return set(watcher.settled), raised
        finally:
            await reader.close()
            await engine.dispose()
    return _run(run())
