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

Reconcile. A customer that leaves the scope (moved to another branch by head office, or gone
for any other reason) no longer appears in the scope's list, so no incremental run can see it.
At most every ``reconcile_hours`` (after a ``sync_now()`` run, in the background; or
``reconcile_now()``) a reconcile pass re-reads the whole scope keyset-paged on ``created_at``
(``min_created_at`` + tie offset: a row's position never moves), pipelined and parsed off the
event loop like the full sync, upserting only new or changed rows and collecting the GUIDs it
saw. Only once the pass has COMPLETED are the cached customers it did not see, and that were
fetched before it began (rows stored meanwhile, e.g. by an incremental run, are kept), asked
for again by GUID (same scope; disabled ones too): those still in scope are refreshed (a row a
paging race made the pass skip), the rest are deleted with their accounts, together with the
new ``reconciled_at`` in one transaction. A killed or failed pass deletes nothing and is due
again. The first full sync is followed by one pass: it pages by the immutable created_at,
so it also stores a row that updated_at paging with a tie offset skipped when another row
of the group was updated between two pages (a row created meanwhile hides it from the count
check); deferred by ``first_reconcile_delay``, as the teller's first reads need the link.

Servers that differ where the docs are silent (``platform/traits.py``; learnt by
``platform/probes.learn_traits`` before a run, remembered per profile by the app): paging ends
on ``total`` or an empty page, never on a short page (a server may cap pages). Where
``ordering`` is ignored or refused, or a page comes back out of ``updated_at`` order, or rows
lack a usable ``updated_at``, a run pages by offset in the server's own order instead
("scan", ``core/sync_scan.py``: the window ``min_updated_at`` = the same start as above,
cursor = the newest row seen). Either way a run is verified by counts: fewer distinct
customers than the first page's ``total`` promised (rows shifted under the offset) and the
window is read again once.

A damaged cache (``CacheCorruptError``: a page that fails its check, found by a search or by
this run) is rebuilt by the next run: ``on_rebuild`` tells the desk (it searches the platform
until the full sync that follows is done), the worker replaces the file by an empty one, and
the run is a full sync. A run that finds the damage itself starts again, once, on the new file.

Accounts and balances are NOT synced here (100 000 account calls): ``refresh_accounts(guid)``
fetches one customer's accounts when a card opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from teller_app.cache import CacheCorruptError, SyncState
from teller_app.cache.convert import canonical_ts, parse_ts
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.connectivity import Connectivity
from teller_app.core.sync_paging import (
    GuidSet,
    KeysetUnusable,
    SyncClient,
    advance_keyset,
    check_order,
    gc_frozen,
    gil_handover,
    record_guid,
)
from teller_app.core.sync_reconcile import log_reconcile
from teller_app.core.sync_scan import BATCH_PAGES, SyncScan
from teller_app.platform import PlatformClient, background_calls
from teller_app.platform.models import AccountWithAssets
from teller_app.platform.models.customers import CustomerRecordPage
from teller_app.platform.probes import learn_traits

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
PAGE_SIZE = 1000  # the platform's maximum ``limit``
OVERLAP_SECONDS = 2.0
PROGRESS_INTERVAL = 0.1  # seconds between progress reports (the first and last always sent)
RECONCILE_HOURS = 24.0  # at most one automatic reconcile pass per this many hours
FIRST_RECONCILE_DELAY = 30 * 60.0  # seconds from a first full sync's end to its pass
_ONE_US = timedelta(microseconds=1)


class SyncEngine(SyncScan):
    def __init__(
        self,
        client: SyncClient,
        cache_worker: CacheWorker,
        branch_guids: list[str] | None,
        *,
        connectivity: Connectivity | None = None,
        on_progress: Progress | None = None,
        on_received: Progress | None = None,
        page_size: int = PAGE_SIZE,
        overlap: float = OVERLAP_SECONDS,
        reconcile_hours: float = RECONCILE_HOURS,
        first_reconcile_delay: float = FIRST_RECONCILE_DELAY,
    ) -> None:
        self.client = client
        self.worker = cache_worker
        self.branch_guids = list(branch_guids) if branch_guids else None
        self.connectivity = connectivity
        self.on_progress = on_progress  # rows committed (kill-proof), every BATCH_PAGES
        # rows downloaded, each page (what the status bar shows: a first sync commits late)
        self.on_received = on_received
        # the cache was found damaged and is being replaced by an empty one (a full sync
        # follows): the desk searches the platform meanwhile
        self.on_rebuild: Callable[[], None] | None = None
        self.page_size = page_size
        self.overlap = overlap
        self.reconcile_hours = reconcile_hours
        self.first_reconcile_delay = first_reconcile_delay
        self._first_synced_at: float | None = None  # monotonic, this engine's first full sync
        self._task: asyncio.Task[int] | None = None
        self._reconcile_task: asyncio.Task[int] | None = None
        self._reported_at = self._received_at = 0.0

    # -- public ------------------------------------------------------------------------------
    async def sync_now(self) -> int:
        """Full sync if none completed yet (resuming an interrupted one), else incremental.
        Returns the number of customer rows received. Concurrent calls share one run. When a
        reconcile pass is due, the run starts one in the background (not awaited here)."""
        if self._task is None or self._task.done():
            with background_calls():  # its reads keep every retry (no teller waits on them)
                self._task = asyncio.ensure_future(self._run_on_sound_cache())
        return await asyncio.shield(self._task)

    async def reconcile_now(self) -> int:
        """Run a reconcile pass now, whether due or not (or join the one running). Returns
        the number of customers deleted from the cache."""
        return await asyncio.shield(self._start_reconcile())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def reconcile_task(self) -> asyncio.Task[int] | None:
        """The latest reconcile pass (running or done), if any."""
        return self._reconcile_task

    def reconcile_due(self, state: SyncState, now: float | None = None) -> bool:
        if not state.full_sync_done:
            return False
        if state.reconciled_at is None:
            return True
        now = time.time() if now is None else now
        # a clock set back (reconciled "in the future") must not postpone it for days
        return now < state.reconciled_at or now - state.reconciled_at >= self.reconcile_hours * 3600

    async def stop(self) -> None:
        """Cancel a running sync and reconcile pass (sign-out, close) and wait for them."""
        await _cancelled(self._task)
        await _cancelled(self._reconcile_task)  # read after: the sync's end may start one

    async def refresh_accounts(self, customer_guid: str) -> list[AccountWithAssets]:
        """Fetch one customer's accounts (with balances) and store them with fetched_at."""
        accounts = await self._platform(self.client.get_customer_accounts(customer_guid))
        await self.worker.upsert_accounts(customer_guid, accounts)
        return list(accounts)

    async def restart_full_sync(self) -> None:
        """Forget the cursor: the next sync_now() is a full sync (rows are kept and upserted)."""
        await self.worker.set_sync_state(SyncState())

    # -- internals ---------------------------------------------------------------------------
    def _report(self, done: int, total: int, *, final: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not final and now - self._reported_at < PROGRESS_INTERVAL:
            return
        self._reported_at = now
        self.on_progress(done, max(total, done))

    def _report_received(self, done: int, total: int, *, final: bool = False) -> None:
        if self.on_received is None:
            return
        now = time.monotonic()
        if not final and now - self._received_at < PROGRESS_INTERVAL:
            return
        self._received_at = now
        self.on_received(done, max(total, done))

    def _deferring(self) -> bool:
        """The pass after this engine's first full sync waits ``first_reconcile_delay``."""
        since = self._first_synced_at
        return since is not None and time.monotonic() - since < self.first_reconcile_delay

    def _start_reconcile(self) -> asyncio.Task[int]:
        if self._reconcile_task is None or self._reconcile_task.done():
            with background_calls():
                self._reconcile_task = asyncio.ensure_future(self._reconcile())
            self._reconcile_task.add_done_callback(log_reconcile)
        return self._reconcile_task

    def _fetch(self, cursor: str | None, skip: int, ordered: bool = True
               ) -> asyncio.Future[CustomerRecordPage]:
        return self._page_task(min_updated_at=cursor,
                               ordering="updated_at" if ordered else None, offset=skip)

    def _start(self, state: SyncState) -> str:
        """Where an incremental run starts (see the module docstring)."""
        assert state.cursor
        newest = parse_ts(state.cursor)
        if state.read_at is None:
            return canonical_ts(newest - timedelta(seconds=self.overlap))
        safe = parse_ts(state.read_at) - timedelta(seconds=self.overlap)
        return canonical_ts(min(newest + _ONE_US, safe))

    def _scope(self) -> dict[str, list[str]]:
        return {"branch_guids": self.branch_guids} if self.branch_guids else {}

    async def _run_on_sound_cache(self) -> int:
        """``_run``, on a cache rebuilt first when a call found it damaged (module docstring)."""
        if self.worker.damaged:
            await self._rebuild()
        try:
            return await self._run()
        except CacheCorruptError:
            if not self.worker.damaged:
                raise
        await self._rebuild()
        return await self._run()

    async def _rebuild(self) -> None:
        log.warning("branch cache damaged: replacing it by an empty one for a full sync")
        await _cancelled(self._reconcile_task)  # it reads and writes the damaged file
        if self.on_rebuild is not None:
            self.on_rebuild()
        await self.worker.rebuild()

    async def _run(self) -> int:
        if isinstance(self.client, PlatformClient):
            await self._platform(learn_traits(self.client, self._scope()))
        with gc_frozen(), gil_handover():
            state = await self.worker.sync_state()
            try:
                if not self._keyset():
                    raise KeysetUnusable("ordering not honoured by this server")
                received = await self._run_frozen()
            except KeysetUnusable as exc:
                log.warning("sync: %s; paging by offset", exc)
                if exc.unordered and isinstance(self.client, PlatformClient):
                    self.client.learn(ordering="ignored")
                received = await self._run_scan(state)
        after = await self.worker.sync_state()
        if not state.full_sync_done and after.full_sync_done:
            # not counted as a reconcile, deferred (a restart forgets it: that run is later)
            self._first_synced_at = time.monotonic()
        if self.reconcile_due(after) and not self._deferring():
            self._start_reconcile()  # in the background: sync_now() returns now
        return received

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
                started = time.time()
                state = replace(state, full_sync_started_at=started)
                # Not counted as a reconcile: paging by the mutable updated_at with a tie
                # offset can skip a row that another row's update shifted between two pages,
                # so a background pass by the immutable created_at follows (later: ``_run``).
            cursor, skip = state.cursor, state.tie_skip
            base = (await self.worker.stats()).count if cursor else 0
            if cursor:
                read_at = state.read_at
        received = 0
        total: int | None = None
        expected: int | None = None  # rows the first page's total promised (count check)
        seen = GuidSet()
        self._reported_at = self._received_at = 0.0
        sent_skip = skip
        fetching: asyncio.Future[CustomerRecordPage] | None = self._fetch(cursor, skip)
        storing: asyncio.Future[None] | None = None
        uncommitted = 0  # pages stored in the open cache transaction
        committed_at = 0  # rows received up to the page the awaited store commits (or 0)
        try:
            while fetching is not None:
                page = await fetching
                fetching = None
                if read_at is None:
                    server_time = page.server_time
                    read_at = canonical_ts(server_time) if server_time is not None else None
                if total is None:
                    total = base + max(0, int(page.total) - skip)
                    expected = max(0, int(page.total) - skip)
                rows = list(page.customers)
                self._report_received(base + received + len(rows), total)
                check_order(rows, cursor)
                seen.update(record_guid(r) for r in rows)
                last_page = not rows or sent_skip + len(rows) >= int(page.total)
                cursor, skip = advance_keyset(rows, cursor, skip)
                if not last_page:  # the next page travels while this one is stored
                    sent_skip = skip
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
        if expected is not None and len(seen) < expected:
            # e.g. a row whose update moved it between two pages of a tie offset
            log.warning("sync saw %d of %d customers: reading the window by offset",
                        len(seen), expected)
            raise KeysetUnusable("fewer customers than the total promised")
        await self.worker.call(seen.clear)
        self._report(base + received, total or 0, final=True)
        self._report_received(base + received, total or 0, final=True)
        if self.connectivity is not None and state.last_sync_at is not None:
            self.connectivity.set_last_sync(state.last_sync_at)
        return received


async def _cancelled(task: asyncio.Task[int] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
