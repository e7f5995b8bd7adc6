"""The reconcile pass of the branch cache's sync (see ``core/sync.py``, "Reconcile"), and what
it shares with the sync runs: the client, the cache worker, the connectivity tracking and
whether the server pages by keyset. ``SyncEngine`` extends ``SyncReconcile``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from teller_app.core.cache_worker import CacheWorker
from teller_app.core.connectivity import Connectivity
from teller_app.core.sync_paging import (
    GuidSet,
    SyncClient,
    advance_keyset,
    created_at_of,
    gc_frozen,
    gil_handover,
    record_guid,
)
from teller_app.platform import PlatformClient
from teller_app.platform.models.customers import CustomerRecordPage

log = logging.getLogger("teller_app.core.sync")  # one logger for the sync and its pass
T = TypeVar("T")
VERIFY_CHUNK = 100  # reconcile: GUIDs per "still in scope?" request


class SyncReconcile:
    # set by SyncEngine.__init__
    client: SyncClient
    worker: CacheWorker
    branch_guids: list[str] | None
    connectivity: Connectivity | None
    page_size: int

    async def _platform(self, awaitable: Awaitable[T]) -> T:
        if self.connectivity is None:
            return await awaitable
        return await self.connectivity.track(awaitable)

    def _page_task(self, **filters: Any) -> asyncio.Future[CustomerRecordPage]:
        """A page of ``list_customer_records`` read in the background (the next page travels
        while this one is stored). The call is made inside the task: a task cancelled before
        it starts then leaves no never-awaited coroutine behind."""

        async def read() -> CustomerRecordPage:
            return await self._platform(self.client.list_customer_records(
                branch_guids=self.branch_guids, limit=self.page_size,
                offload=self.worker.call, **filters))

        return asyncio.ensure_future(read())

    def _keyset(self) -> bool:
        return not isinstance(self.client, PlatformClient) or (
            self.client.traits.keyset_by_updated_at
        )

    async def _reconcile(self) -> int:
        """One reconcile pass (see the module docstring); returns the customers deleted."""
        with gc_frozen(), gil_handover():
            started = time.time()  # same clock as the cache's fetched_at
            seen = await self._reconcile_read()
        # Only a COMPLETED read gets here (a cancel or failure above raised).
        candidates = await self.worker.reconcile_candidates(seen, started)
        await self.worker.call(seen.clear)
        gone = await self._still_gone(candidates)
        removed = await self.worker.finish_reconcile(gone, started, started)
        log.info("reconcile pass: %d seen, %d removed from the cache", len(seen), removed)
        return removed

    async def _reconcile_read(self) -> GuidSet:
        """Page through the whole scope by created_at (fetch N+1 while N is stored)."""
        seen = GuidSet()
        if not self._keyset():
            return await self._reconcile_scan()
        cursor: str | None = None
        skip = 0
        fetching: asyncio.Future[CustomerRecordPage] | None = self._fetch_created(cursor, skip)
        storing: asyncio.Future[list[str]] | None = None
        try:
            while fetching is not None:
                page = await fetching
                fetching = None
                rows = list(page.customers)
                more = bool(rows) and skip + len(rows) < int(page.total)
                cursor, skip = advance_keyset(rows, cursor, skip, created_at_of)
                if more:
                    fetching = self._fetch_created(cursor, skip)
                if storing is not None:
                    seen.update(await storing)
                storing = asyncio.ensure_future(self.worker.store_reconcile_page(rows))
            assert storing is not None
            seen.update(await storing)
            storing = None
        finally:
            if fetching is not None:
                fetching.cancel()
            if storing is not None:  # let a page in flight land (upserts are harmless)
                with contextlib.suppress(BaseException):
                    await storing
        return seen

    async def _reconcile_scan(self) -> GuidSet:
        """The reconcile read by offset in the server's order (ordering not honoured). A row
        an offset shift skips is not lost: unseen rows are asked for by GUID before any
        deletion."""
        seen = GuidSet()
        offset = 0
        while True:
            page = await self._platform(
                self.client.list_customer_records(
                    branch_guids=self.branch_guids, offset=offset, limit=self.page_size,
                    offload=self.worker.call,
                )
            )
            rows = list(page.customers)
            seen.update(await self.worker.store_reconcile_page(rows))
            offset += len(rows)
            if not rows or offset >= int(page.total):
                return seen

    def _fetch_created(self, cursor: str | None, skip: int
                       ) -> asyncio.Future[CustomerRecordPage]:
        return self._page_task(min_created_at=cursor, ordering="created_at", offset=skip)

    async def _still_gone(self, candidates: list[str]) -> list[str]:
        """The candidates the platform does not return by GUID in this scope (with disabled
        ones asked for separately, as ``get_customer`` does); those it returns are stored."""
        gone: list[str] = []
        for start in range(0, len(candidates), VERIFY_CHUNK):
            chunk = candidates[start : start + VERIFY_CHUNK]
            present: set[str] = set()
            for include_disabled in (None, True):
                ask = [g for g in chunk if g not in present]
                if not ask:
                    break
                page = await self._platform(
                    self.client.list_customer_records(
                        branch_guids=self.branch_guids,
                        wallet_user_guids=ask,
                        is_disabled=include_disabled,
                        limit=len(ask),
                        offload=self.worker.call,
                    )
                )
                found = [r for r in page.customers if record_guid(r) in ask]
                if found:
                    present.update(await self.worker.store_reconcile_page(found))
            gone += [g for g in chunk if g not in present]
        return gone


def log_reconcile(task: asyncio.Task[int]) -> None:
    """A background pass's outcome is logged (and its exception retrieved)."""
    if task.cancelled():
        log.info("reconcile pass cancelled: nothing deleted")
    elif task.exception() is not None:
        log.warning("reconcile pass failed, nothing deleted: %r", task.exception())
