"""``SyncEngine``: fills and refreshes the local branch cache from ``GET /customers`` (no Qt).

Paging is keyset on ``updated_at`` (``ordering=updated_at``, ``min_updated_at`` inclusive,
``offset`` only to step over rows sharing the cursor's timestamp): every page is stored with
its cursor in ONE transaction, so a killed sync resumes exactly where it stopped and a row
updated meanwhile simply moves to a later page. The first (full) sync starts from nothing;
later (incremental) syncs start ``overlap`` seconds before the cursor (upserts by
``wallet_user_guid`` make the re-read rows harmless). All database work runs on the cache
worker thread; the loop is yielded between pages.

Accounts and balances are NOT synced here (100 000 account calls): ``refresh_accounts(guid)``
fetches one customer's accounts when a card opens.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from teller_app.cache import SyncState
from teller_app.cache.convert import canonical_ts, parse_ts
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.connectivity import Connectivity

Progress = Callable[[int, int], None]
PAGE_SIZE = 500
OVERLAP_SECONDS = 2.0


class SyncEngine:
    def __init__(
        self,
        client: Any,
        cache_worker: CacheWorker,
        branch_guids: list[str] | None,
        *,
        connectivity: Connectivity | None = None,
        on_progress: Progress | None = None,
        page_size: int = PAGE_SIZE,
        overlap: float = OVERLAP_SECONDS,
    ) -> None:
        self.client = client
        self.worker = cache_worker
        self.branch_guids = list(branch_guids) if branch_guids else None
        self.connectivity = connectivity
        self.on_progress = on_progress
        self.page_size = page_size
        self.overlap = overlap
        self._task: asyncio.Task[int] | None = None

    # -- public ------------------------------------------------------------------------------
    async def sync_now(self) -> int:
        """Full sync if none completed yet (resuming an interrupted one), else incremental.
        Returns the number of customer rows received. Concurrent calls share one run."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._task)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def refresh_accounts(self, customer_guid: str) -> list[Any]:
        """Fetch one customer's accounts (with balances) and store them with fetched_at."""
        accounts = await self._platform(self.client.get_customer_accounts(customer_guid))
        await self.worker.upsert_accounts(customer_guid, accounts)
        return list(accounts)

    async def restart_full_sync(self) -> None:
        """Forget the cursor: the next sync_now() is a full sync (rows are kept and upserted)."""
        await self.worker.set_sync_state(SyncState())

    # -- internals ---------------------------------------------------------------------------
    async def _platform(self, awaitable: Any) -> Any:
        if self.connectivity is None:
            return await awaitable
        return await self.connectivity.track(awaitable)

    def _report(self, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, max(total, done))

    async def _run(self) -> int:
        state = await self.worker.sync_state()
        if state.full_sync_done and state.cursor:
            cursor: str | None = canonical_ts(
                parse_ts(state.cursor) - timedelta(seconds=self.overlap)
            )
            skip = 0
            base = 0
        else:
            if state.full_sync_started_at is None:
                state = replace(state, full_sync_started_at=time.time())
            cursor, skip = state.cursor, state.tie_skip
            base = (await self.worker.stats()).count if cursor else 0
        received = 0
        total: int | None = None
        while True:
            page = await self._platform(
                self.client.list_customers(
                    branch_guids=self.branch_guids,
                    min_updated_at=cursor,
                    ordering="updated_at",
                    offset=skip,
                    limit=self.page_size,
                )
            )
            if total is None:
                total = base + max(0, int(page.total) - skip)
            rows = list(page.customers)
            for row in rows:
                ts = canonical_ts(row.updated_at)
                if ts == cursor:
                    skip += 1
                else:
                    cursor, skip = ts, 1
            last_page = len(rows) < self.page_size
            new_state = replace(state, cursor=cursor, tie_skip=skip)
            if state.full_sync_done and state.cursor and cursor and cursor < state.cursor:
                new_state = replace(new_state, cursor=state.cursor, tie_skip=state.tie_skip)
            if last_page:
                new_state = replace(new_state, full_sync_done=True, last_sync_at=time.time())
            await self.worker.store_page(rows, new_state)
            state = new_state
            received += len(rows)
            self._report(base + received, total)
            if last_page:
                break
            await asyncio.sleep(0)  # let the UI breathe between pages
        if self.connectivity is not None and state.last_sync_at is not None:
            self.connectivity.set_last_sync(state.last_sync_at)
        return received
