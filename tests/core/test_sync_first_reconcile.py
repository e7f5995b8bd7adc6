"""The reconcile pass after a first full sync is deferred (``first_reconcile_delay``): on a
branch's slow backup link a second full listing right after "Synced" filled the link for
~35 s while the teller's first searches and card opens waited. It still runs once the delay
has passed, and at once after a restart. Requests are counted with an httpx event hook on
the real client, against the real sandbox and a real SQLCipher cache."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import httpx

from teller_app.cache import cache_path
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.sync import FIRST_RECONCILE_DELAY, SyncEngine
from teller_app.platform import PlatformClient
from tests.platform.sandbox_helpers import password_client

PAGE = 5


class ListingLog:
    """The customer list requests the real client sends: full listings (no
    ``min_updated_at`` and no GUID filter) and, among them, reconcile reads."""

    def __init__(self, client: PlatformClient) -> None:
        self.full = 0
        self.reconcile = 0
        client._http._client.event_hooks["request"].append(self._seen)

    async def _seen(self, request: httpx.Request) -> None:
        query = request.url.params
        if request.method != "GET" or not request.url.path.endswith("/customers"):
            return
        if "wallet_user_guids" in query:
            return
        if query.get("ordering") == "created_at":
            self.reconcile += 1
        if "min_updated_at" not in query and int(query.get("limit", "0")) == PAGE:
            self.full += 1


def test_no_second_full_listing_right_after_the_first_sync(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    kyiv = str(sandbox.manifest["branches"][0]["guid"])

    async def scenario() -> None:
        worker = CacheWorker()
        await worker.open(cache_path(tmp_path / "kyiv", "demo", kyiv), os.urandom(32))
        async with password_client(sandbox) as teller:
            log = ListingLog(teller)
            engine = SyncEngine(teller, worker, [kyiv], page_size=PAGE)
            assert engine.first_reconcile_delay == FIRST_RECONCILE_DELAY >= 600
            assert await engine.sync_now() > 0
            state = await worker.sync_state()
            assert state.full_sync_done and state.reconciled_at is None
            first_sync_pages = log.full
            assert first_sync_pages >= 1 and log.reconcile == 0
            assert engine.reconcile_task is None
            # the next runs (F5, the 5-minute timer) are incremental only
            await engine.sync_now()
            await engine.sync_now()
            assert engine.reconcile_task is None
            assert log.reconcile == 0 and log.full == first_sync_pages

            # Once the delay has passed, the next run starts the pass (still due).
            engine.first_reconcile_delay = 0
            await engine.sync_now()
            task = engine.reconcile_task
            assert task is not None and await task == 0
            assert log.reconcile >= 2  # the whole scope, paged
            assert (await worker.sync_state()).reconciled_at is not None

            # A restart before the pass ran: the new engine's first (incremental) run
            # starts it, as the cache says it is due.
            reconciled = await worker.sync_state()
            await worker.set_sync_state(replace(reconciled, reconciled_at=None))
            restarted = SyncEngine(teller, worker, [kyiv], page_size=PAGE)
            before = log.reconcile
            await restarted.sync_now()
            assert restarted.reconcile_task is not None
            assert await restarted.reconcile_task == 0
            assert log.reconcile > before
        await worker.close()

    asyncio.run(scenario())
