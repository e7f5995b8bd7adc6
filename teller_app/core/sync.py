"""``SyncEngine``: fills and refreshes the local branch cache from ``GET /customers`` (no Qt).

Paging is keyset on ``updated_at`` (``ordering=updated_at``, ``min_updated_at`` inclusive,
``offset`` only to step over rows sharing the cursor's timestamp): every page is stored with
its cursor in ONE transaction, so a killed sync resumes exactly where it stopped and a row
updated meanwhile simply moves to a later page. Fetching page N+1 overlaps storing page N (at
most one page in flight ahead; pages are stored in order). All database work runs on the
cache worker thread; the JSON decoding and model validation of big pages run on a worker
thread inside ``PlatformClient`` — the event loop (the UI thread) only moves pages along.

Where an incremental sync starts. A platform transaction stamps ``updated_at`` before it
commits, so a row may become visible *after* a newer row was already read (out-of-order
commits); re-reading an ``overlap`` window covers commits that land within ``overlap``
seconds of their stamp. The window is anchored on the platform's clock, not on the newest
row: ``read_at`` is the server's ``Date`` when the previous run (or the first run of a full
sync) began reading, and every row stamped before ``read_at - overlap`` was committed, hence
seen, by then. So the next run starts at ``min(cursor + 1 us, read_at - overlap)``: after the
last row stored (every row stamped at or before the cursor was seen), or earlier when the
previous run read rows younger than ``overlap``. A bulk-created data set (tens of thousands
of rows within 2 s of the newest) is therefore not re-read after the first full sync. Without a
``Date`` header the old rule applies (``cursor - overlap``). Upserts by ``wallet_user_guid``
make re-read rows harmless; the stored cursor never moves backwards.

Accounts and balances are NOT synced here (100 000 account calls): ``refresh_accounts(guid)``
fetches one customer's accounts when a card opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
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
PAGE_SIZE = 1000  # the platform's maximum ``limit``
OVERLAP_SECONDS = 2.0
BATCH_PAGES = 10  # full sync: pages per cache transaction (BranchCache.store_page)
PROGRESS_INTERVAL = 0.1  # seconds between progress reports (the first and last always sent)
_ONE_US = timedelta(microseconds=1)


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
        self._reported_at = 0.0

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

    def _report(self, done: int, total: int, *, final: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not final and now - self._reported_at < PROGRESS_INTERVAL:
            return
        self._reported_at = now
        self.on_progress(done, max(total, done))

    def _fetch(self, cursor: str | None, skip: int) -> asyncio.Future[Any]:
        return asyncio.ensure_future(
            self._platform(
                self.client.list_customer_records(
                    branch_guids=self.branch_guids,
                    min_updated_at=cursor,
                    ordering="updated_at",
                    offset=skip,
                    limit=self.page_size,
                    offload=self.worker.call,
                )
            )
        )

    def _start(self, state: SyncState) -> str:
        """Where an incremental run starts (see the module docstring)."""
        assert state.cursor
        newest = parse_ts(state.cursor)
        if state.read_at is None:
            return canonical_ts(newest - timedelta(seconds=self.overlap))
        safe = parse_ts(state.read_at) - timedelta(seconds=self.overlap)
        return canonical_ts(min(newest + _ONE_US, safe))

    async def _run(self) -> int:
        # A full sync allocates ~100 000 short-lived rows; enough of them outlive the young
        # generations to trigger several full garbage collections, each rescanning every
        # long-lived object of the app (Qt wrappers, modules: 50-70 ms with the UI thread
        # blocked). Frozen, those are skipped until the run ends; only collection of cycles
        # among them is delayed, nothing is lost. (Not when something else froze objects: our
        # unfreeze would undo that.)
        frozen = gc.isenabled() and gc.get_freeze_count() == 0
        if frozen:
            gc.freeze()
        try:
            return await self._run_frozen()
        finally:
            if frozen:
                gc.unfreeze()

    async def _run_frozen(self) -> int:
        state = await self.worker.sync_state()
        incremental = state.full_sync_done and bool(state.cursor)
        read_at: str | None = None  # this run's first server Date (kept from an interrupted
        if incremental:  # full sync when resuming one: its earlier pages were read before)
            cursor: str | None = self._start(state)
            skip = 0
            base = 0
        else:
            if state.full_sync_started_at is None:
                state = replace(state, full_sync_started_at=time.time())
            cursor, skip = state.cursor, state.tie_skip
            base = (await self.worker.stats()).count if cursor else 0
            if cursor:
                read_at = state.read_at
        received = 0
        total: int | None = None
        self._reported_at = 0.0
        fetching: asyncio.Future[Any] | None = self._fetch(cursor, skip)
        storing: asyncio.Future[None] | None = None
        uncommitted = 0  # pages stored in the open cache transaction
        committed_at = 0  # rows received up to the page the awaited store commits (or 0)
        try:
            while fetching is not None:
                page = await fetching
                fetching = None
                if read_at is None:
                    server_time = getattr(page, "server_time", None)
                    read_at = canonical_ts(server_time) if server_time is not None else None
                if total is None:
                    total = base + max(0, int(page.total) - skip)
                rows = list(page.customers)
                cursor, skip = _advance(rows, cursor, skip)
                last_page = len(rows) < self.page_size
                if not last_page:  # the next page travels while this one is stored
                    fetching = self._fetch(cursor, skip)
                new_state = replace(state, cursor=cursor, tie_skip=skip)
                if incremental and state.cursor and cursor and cursor < state.cursor:
                    new_state = replace(new_state, cursor=state.cursor, tie_skip=state.tie_skip)
                if last_page:
                    new_state = replace(new_state, full_sync_done=True, last_sync_at=time.time())
                if last_page or not incremental:
                    # a completed run, or (full sync) the first read of a resumable run
                    new_state = replace(new_state, read_at=read_at)
                if storing is not None:
                    await storing  # page N-1 (one transaction at a time, in order)
                    if committed_at:  # progress counts committed (kill-proof) rows only
                        self._report(base + committed_at, total)
                uncommitted += 1
                commit = last_page or incremental or uncommitted >= BATCH_PAGES
                uncommitted = 0 if commit else uncommitted
                committed_at = received + len(rows) if commit else 0
                storing = asyncio.ensure_future(self.worker.store_page(rows, new_state, commit))
                state = new_state
                received += len(rows)  # reported once stored
            assert storing is not None
            await storing
            storing = None
        finally:
            if fetching is not None:
                fetching.cancel()
            if storing is not None:  # a failed fetch: let the stored-in-order page land
                with contextlib.suppress(Exception):
                    await storing
            if uncommitted:  # keep what was stored (each page came with its cursor)
                with contextlib.suppress(Exception):
                    await self.worker.flush()
        self._report(base + received, total or 0, final=True)
        if self.connectivity is not None and state.last_sync_at is not None:
            self.connectivity.set_last_sync(state.last_sync_at)
        return received


def _advance(rows: list[Any], cursor: str | None, skip: int) -> tuple[str | None, int]:
    """Keyset position after ``rows`` (sorted by updated_at): the last row's timestamp and how
    many rows at exactly that timestamp were read. Scans from the end: a few timestamp
    conversions per page instead of one per row."""
    if not rows:
        return cursor, skip
    last = canonical_ts(_updated_at(rows[-1]))
    tail = 1
    for row in reversed(rows[:-1]):
        if canonical_ts(_updated_at(row)) != last:
            break
        tail += 1
    if tail == len(rows) and last == cursor:
        return cursor, skip + tail
    return last, tail


def _updated_at(row: Any) -> Any:
    """A ``CustomerRecord`` dict's or a ``Customer`` model's ``updated_at``."""
    return row.get("updated_at") if isinstance(row, dict) else row.updated_at
