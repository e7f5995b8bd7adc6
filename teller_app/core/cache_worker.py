"""``CacheWorker``: owns the ``BranchCache`` on ONE dedicated thread (SQLite connections are
thread-bound), so the UI thread never touches disk. No Qt: awaitable from any asyncio loop
(qasync included) via ``asyncio.wrap_future``.

    worker = CacheWorker()
    await worker.open(path, key)            # CacheKeyError -> wipe + reopen + full sync
    rows = await worker.search("шевч", 0, 100)
    await worker.call(some_function, arg)   # runs some_function(arg) on the cache thread
    await worker.with_cache(fn, arg)        # runs fn(cache, arg) on the cache thread
    await worker.close()

Every ``with_cache`` call (each typed wrapper too) raises a failure of the cache as a
``CacheError`` (``BranchCache.guarded``): a damaged page is ``CacheCorruptError`` and leaves
the worker ``damaged`` until ``rebuild()`` (the sync engine's, before its full sync).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Container, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from teller_app.cache import (
    AccountRow,
    BranchCache,
    CacheError,
    CacheStats,
    CustomerRow,
    SearchCount,
    SyncState,
)
from teller_app.cache.store_write import AccountIn, CustomerIn
from teller_app.cache.thread_priority import lower_this_thread

T = TypeVar("T")
P = ParamSpec("P")


class CacheWorker:
    def __init__(self) -> None:
        # Below the UI thread: a sync's work there never delays a frame (thread_priority).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="teller-cache",
                                            initializer=lower_this_thread)
        self._cache: BranchCache | None = None

    # -- plumbing ----------------------------------------------------------------------------
    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the cache thread and await its result."""
        future = self._executor.submit(functools.partial(fn, *args, **kwargs))
        return await asyncio.wrap_future(future)

    async def with_cache(self, fn: Callable[Concatenate[BranchCache, P], T],
                         *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(cache, *args, **kwargs)`` on the cache thread, its failure classified
        (``BranchCache.guarded``)."""
        return await self.call(lambda: self.cache.guarded(fn, *args, **kwargs))

    @property
    def cache(self) -> BranchCache:
        """The open cache. Only touch it from functions run through ``call``."""
        if self._cache is None:
            raise CacheError("cache is not open")
        return self._cache

    @property
    def is_open(self) -> bool:
        return self._cache is not None

    async def open(self, path: Path | str, key: bytes | None, *,
                   busy_timeout: float = 5.0) -> None:
        if self._cache is not None:
            await self.call(self._cache.close)
        self._cache = None
        self._cache = await self.call(BranchCache.open, path, key, busy_timeout=busy_timeout)

    @property
    def damaged(self) -> bool:
        """A call found a damaged page: the cache answers nothing until ``rebuild()``."""
        return self._cache is not None and self._cache.damaged

    async def rebuild(self) -> None:
        """Replace the damaged cache by an empty one (same file and key; the caller syncs in
        full). Raises what opening raises (then no cache is open)."""
        def swap() -> None:  # on the cache thread: a cancelled await leaks no connection
            cache, self._cache = self.cache, None
            self._cache = cache.rebuilt()

        await self.call(swap)

    async def close_cache(self) -> None:
        if self._cache is not None:
            cache, self._cache = self._cache, None
            await self.call(cache.close)

    async def close(self) -> None:
        """Close the cache and stop the thread."""
        await self.close_cache()
        self._executor.shutdown(wait=False)

    def shutdown(self) -> None:
        """Blocking close (app exit without a running loop)."""
        if self._cache is not None:
            cache, self._cache = self._cache, None
            self._executor.submit(cache.close).result()
        self._executor.shutdown(wait=True)

    # -- typed wrappers (same names as BranchCache) ------------------------------------------
    async def search(
        self, query: str, offset: int = 0, limit: int = 100, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        return await self.with_cache(BranchCache.search, query, offset, limit, branch_guid)

    async def count(
        self, query: str, cap: int = 10_000, branch_guid: str | None = None
    ) -> SearchCount:
        return await self.with_cache(BranchCache.count, query, cap, branch_guid)

    async def customers_page(
        self, offset: int = 0, limit: int = 100, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        return await self.with_cache(BranchCache.customers_page, offset, limit, branch_guid)

    async def get_customer(self, guid: str) -> CustomerRow | None:
        return await self.with_cache(BranchCache.get_customer, guid)

    async def get_accounts(self, guid: str) -> list[AccountRow]:
        return await self.with_cache(BranchCache.get_accounts, guid)

    async def stats(self) -> CacheStats:
        return await self.with_cache(BranchCache.stats)

    async def is_cold(self) -> bool:
        return await self.with_cache(BranchCache.is_cold)

    async def upsert_customers(self, customers: Iterable[CustomerIn]) -> int:
        items = list(customers)
        return await self.with_cache(BranchCache.upsert_customers, items)

    async def delete_customers(self, guids: Iterable[str]) -> int:
        items = list(guids)
        return await self.with_cache(BranchCache.delete_customers, items)

    async def upsert_accounts(self, customer_guid: str, accounts: Iterable[AccountIn]) -> None:
        items = list(accounts)
        await self.with_cache(BranchCache.upsert_accounts, customer_guid, items)

    async def sync_state(self) -> SyncState:
        return await self.with_cache(BranchCache.sync_state)

    async def set_sync_state(self, state: SyncState) -> None:
        await self.with_cache(BranchCache.set_sync_state, state)

    async def store_page(
        self, customers: Sequence[CustomerIn], state: SyncState, commit: bool = True
    ) -> None:
        await self.with_cache(BranchCache.store_page, customers, state, commit)

    async def flush(self) -> None:
        """Commit a sync batch left open by ``store_page(..., commit=False)``."""
        await self.with_cache(BranchCache.flush)

    async def store_reconcile_page(self, customers: Sequence[CustomerIn]) -> list[str]:
        """Upsert a reconcile page's new/changed customers; the GUIDs it saw."""
        return await self.with_cache(BranchCache.store_reconcile_page, customers)

    async def reconcile_candidates(self, seen: Container[str], fetched_before: float
                                   ) -> list[str]:
        return await self.with_cache(BranchCache.reconcile_candidates, seen, fetched_before)

    async def finish_reconcile(
        self, guids: Iterable[str], fetched_before: float, at: float
    ) -> int:
        items = list(guids)
        return await self.with_cache(BranchCache.finish_reconcile, items, fetched_before, at)
