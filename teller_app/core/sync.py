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
of the group was updated between two pages.

Servers that differ where the docs are silent (``platform/traits.py``; learnt by
``platform/probes.learn_traits`` before a run, remembered per profile by the app): paging ends
on ``total`` or an empty page, never on a short page (a server may cap pages). Where
``ordering`` is ignored or refused, or a page comes back out of ``updated_at`` order, or rows
lack a usable ``updated_at``, a run pages by offset in the server's own order instead
("scan": the window ``min_updated_at`` = the same start as above, cursor = the newest row
seen). Either way a run is verified by counts: fewer distinct customers than the first
page's ``total`` promised (rows shifted under the offset) and the window is read again once.

Accounts and balances are NOT synced here (100 000 account calls): ``refresh_accounts(guid)``
fetches one customer's accounts when a card opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from teller_app.cache import SyncState
from teller_app.cache.convert import canonical_ts, parse_ts
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.connectivity import Connectivity
from teller_app.platform import PlatformClient
from teller_app.platform.probes import learn_traits

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
PAGE_SIZE = 1000  # the platform's maximum ``limit``
OVERLAP_SECONDS = 2.0
BATCH_PAGES = 10  # full sync: pages per cache transaction (BranchCache.store_page)
PROGRESS_INTERVAL = 0.1  # seconds between progress reports (the first and last always sent)
RECONCILE_HOURS = 24.0  # at most one automatic reconcile pass per this many hours
VERIFY_CHUNK = 100  # reconcile: GUIDs per "still in scope?" request
_ONE_US = timedelta(microseconds=1)


class _KeysetUnusable(Exception):
    """The rows cannot be paged by updated_at (wrong order, no timestamps, or fewer rows
    than promised): scan instead. ``unordered``: the server does not honour ``ordering``."""

    def __init__(self, why: str, *, unordered: bool = False) -> None:
        super().__init__(why)
        self.unordered = unordered


_SWITCH_INTERVAL = 0.001  # seconds; CPython's default is 0.005
_switch_users = 0
_saved_interval = 0.005


@contextlib.contextmanager
def _gil_handover() -> Iterator[None]:
    """While a sync runs, the cache thread (decoding, validating, storing) asks the
    interpreter for the GIL all the time; the UI thread waits up to the switch interval each
    time it wants it back, several times per Qt event. 1 ms instead of 5 keeps those waits
    well inside a frame (issue 12: stalls during a sync). Process-wide, restored after the
    last concurrent run (sync or reconcile pass) ends."""
    global _switch_users, _saved_interval
    if _switch_users == 0:
        _saved_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(_SWITCH_INTERVAL, _saved_interval))
    _switch_users += 1
    try:
        yield
    finally:
        _switch_users -= 1
        if _switch_users == 0:
            sys.setswitchinterval(_saved_interval)


@contextlib.contextmanager
def _gc_frozen() -> Iterator[None]:
    """A full sync (or reconcile pass) allocates ~100 000 short-lived rows; enough of them
    outlive the young generations to trigger several full garbage collections, each
    rescanning every long-lived object of the app (Qt wrappers, modules: 50-70 ms with the UI
    thread blocked). Frozen, those are skipped until the run ends; only collection of cycles
    among them is delayed, nothing is lost. (Not when something else froze objects, e.g. a
    concurrent run: our unfreeze would undo that.)"""
    frozen = gc.isenabled() and gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()


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
        reconcile_hours: float = RECONCILE_HOURS,
    ) -> None:
        self.client = client
        self.worker = cache_worker
        self.branch_guids = list(branch_guids) if branch_guids else None
        self.connectivity = connectivity
        self.on_progress = on_progress
        self.page_size = page_size
        self.overlap = overlap
        self.reconcile_hours = reconcile_hours
        self._task: asyncio.Task[int] | None = None
        self._reconcile_task: asyncio.Task[int] | None = None
        self._reported_at = 0.0

    # -- public ------------------------------------------------------------------------------
    async def sync_now(self) -> int:
        """Full sync if none completed yet (resuming an interrupted one), else incremental.
        Returns the number of customer rows received. Concurrent calls share one run. When a
        reconcile pass is due, the run starts one in the background (not awaited here)."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())
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
        for attr in ("_task", "_reconcile_task"):  # the sync first: its end may start a
            task: asyncio.Task[int] | None = getattr(self, attr)  # pass, cancelled next
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

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

    def _start_reconcile(self) -> asyncio.Task[int]:
        if self._reconcile_task is None or self._reconcile_task.done():
            self._reconcile_task = asyncio.ensure_future(self._reconcile())
            self._reconcile_task.add_done_callback(_log_reconcile)
        return self._reconcile_task

    def _fetch(self, cursor: str | None, skip: int, ordered: bool = True) -> asyncio.Future[Any]:
        return asyncio.ensure_future(
            self._platform(
                self.client.list_customer_records(
                    branch_guids=self.branch_guids,
                    min_updated_at=cursor,
                    ordering="updated_at" if ordered else None,
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

    def _scope(self) -> dict[str, Any]:
        return {"branch_guids": self.branch_guids} if self.branch_guids else {}

    def _keyset(self) -> bool:
        return not isinstance(self.client, PlatformClient) or (
            self.client.traits.keyset_by_updated_at
        )

    async def _run(self) -> int:
        if isinstance(self.client, PlatformClient):
            await self._platform(learn_traits(self.client, self._scope()))
        with _gc_frozen(), _gil_handover():
            state = await self.worker.sync_state()
            try:
                if not self._keyset():
                    raise _KeysetUnusable("ordering not honoured by this server")
                received = await self._run_frozen()
            except _KeysetUnusable as exc:
                log.warning("sync: %s; paging by offset", exc)
                if exc.unordered and isinstance(self.client, PlatformClient):
                    self.client.learn(ordering="ignored")
                received = await self._run_scan(state)
        if self.reconcile_due(await self.worker.sync_state()):
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
                # so a background pass by the immutable created_at follows the first sync.
            cursor, skip = state.cursor, state.tie_skip
            base = (await self.worker.stats()).count if cursor else 0
            if cursor:
                read_at = state.read_at
        received = 0
        total: int | None = None
        expected: int | None = None  # rows the first page's total promised (count check)
        seen: set[str] = set()
        self._reported_at = 0.0
        sent_skip = skip
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
                    expected = max(0, int(page.total) - skip)
                rows = list(page.customers)
                _check_order(rows, cursor)
                seen.update(_guid(r) for r in rows)
                last_page = not rows or sent_skip + len(rows) >= int(page.total)
                cursor, skip = _advance(rows, cursor, skip)
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
            raise _KeysetUnusable("fewer customers than the total promised")
        self._report(base + received, total or 0, final=True)
        if self.connectivity is not None and state.last_sync_at is not None:
            self.connectivity.set_last_sync(state.last_sync_at)
        return received

    async def _run_scan(self, state: SyncState) -> int:
        """A run paged by offset in the server's order (see the module docstring)."""
        incremental = state.full_sync_done and bool(state.cursor)
        start = self._start(state) if incremental else None
        received = 0
        for attempt in (1, 2):
            got, seen, expected, state = await self._scan_pass(state, start)
            received += got
            if len(seen) >= expected:
                break
            log.warning("sync pass %d saw %d of %d customers: reading again", attempt,
                        len(seen), expected)
        if self.connectivity is not None and state.last_sync_at is not None:
            self.connectivity.set_last_sync(state.last_sync_at)
        return received

    async def _scan_pass(
        self, state: SyncState, start: str | None
    ) -> tuple[int, set[str], int, SyncState]:
        offset = received = uncommitted = 0
        seen: set[str] = set()
        expected: int | None = None
        newest = state.cursor or ""
        read_at: str | None = None
        self._reported_at = 0.0
        try:
            while True:
                page = await self._fetch(start, offset, ordered=False)
                if read_at is None and page.server_time is not None:
                    read_at = canonical_ts(page.server_time)
                total = int(page.total)
                expected = total if expected is None else expected
                rows = list(page.customers)
                seen.update(_guid(r) for r in rows)
                for row in rows:
                    stamp = _updated_at(row)
                    if stamp:
                        newest = max(newest, canonical_ts(stamp))
                offset += len(rows)
                last_page = not rows or offset >= total
                new_state = state
                if last_page:
                    new_state = replace(state, cursor=newest or state.cursor, tie_skip=0,
                                        full_sync_done=True, last_sync_at=time.time(),
                                        read_at=read_at or state.read_at)
                uncommitted += 1
                commit = last_page or uncommitted >= BATCH_PAGES
                uncommitted = 0 if commit else uncommitted
                await self.worker.store_page(rows, new_state, commit)
                state = new_state
                received += len(rows)
                self._report(received, expected, final=last_page)
                if last_page:
                    return received, seen, expected, state
        finally:
            if uncommitted:
                with contextlib.suppress(Exception):
                    await self.worker.flush()

    async def _reconcile(self) -> int:
        """One reconcile pass (see the module docstring); returns the customers deleted."""
        with _gc_frozen(), _gil_handover():
            started = time.time()  # same clock as the cache's fetched_at
            seen = await self._reconcile_read()
        # Only a COMPLETED read gets here (a cancel or failure above raised).
        candidates = await self.worker.reconcile_candidates(seen, started)
        gone = await self._still_gone(candidates)
        removed = await self.worker.finish_reconcile(gone, started, started)
        log.info("reconcile pass: %d seen, %d removed from the cache", len(seen), removed)
        return removed

    async def _reconcile_read(self) -> set[str]:
        """Page through the whole scope by created_at (fetch N+1 while N is stored)."""
        seen: set[str] = set()
        if not self._keyset():
            return await self._reconcile_scan()
        cursor: str | None = None
        skip = 0
        fetching: asyncio.Future[Any] | None = self._fetch_created(cursor, skip)
        storing: asyncio.Future[list[str]] | None = None
        try:
            while fetching is not None:
                page = await fetching
                fetching = None
                rows = list(page.customers)
                more = bool(rows) and skip + len(rows) < int(page.total)
                cursor, skip = _advance(rows, cursor, skip, _created_at)
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

    async def _reconcile_scan(self) -> set[str]:
        """The reconcile read by offset in the server's order (ordering not honoured). A row
        an offset shift skips is not lost: unseen rows are asked for by GUID before any
        deletion."""
        seen: set[str] = set()
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

    def _fetch_created(self, cursor: str | None, skip: int) -> asyncio.Future[Any]:
        return asyncio.ensure_future(
            self._platform(
                self.client.list_customer_records(
                    branch_guids=self.branch_guids,
                    min_created_at=cursor,
                    ordering="created_at",
                    offset=skip,
                    limit=self.page_size,
                    offload=self.worker.call,
                )
            )
        )

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
                found = [r for r in page.customers if _guid(r) in ask]
                if found:
                    present.update(await self.worker.store_reconcile_page(found))
            gone += [g for g in chunk if g not in present]
        return gone


def _advance(
    rows: list[Any], cursor: str | None, skip: int, key: Callable[[Any], Any] | None = None
) -> tuple[str | None, int]:
    """Keyset position after ``rows`` (sorted by ``key``, default updated_at): the last row's
    timestamp and how many rows at exactly that timestamp were read. Scans from the end: a
    few timestamp conversions per page instead of one per row."""
    if not rows:
        return cursor, skip
    key = key or _updated_at
    if not key(rows[-1]):  # never "": an empty bound would mean "from the beginning"
        raise _KeysetUnusable("a row without a usable timestamp")
    last = canonical_ts(key(rows[-1]))
    tail = 1
    for row in reversed(rows[:-1]):
        if canonical_ts(key(row)) != last:
            break
        tail += 1
    if tail == len(rows) and last == cursor:
        return cursor, skip + tail
    return last, tail


def _check_order(rows: list[Any], cursor: str | None) -> None:
    """A keyset page must come sorted by updated_at, from the cursor on."""
    previous = cursor or ""
    for row in rows:
        stamp = _updated_at(row)
        if not stamp:
            raise _KeysetUnusable("a row without a usable updated_at")
        text = canonical_ts(stamp)
        if text < previous:
            raise _KeysetUnusable("rows not in updated_at order", unordered=True)
        previous = text


def _updated_at(row: Any) -> Any:
    """A ``CustomerRecord`` dict's or a ``Customer`` model's ``updated_at``."""
    return row.get("updated_at") if isinstance(row, dict) else row.updated_at


def _created_at(row: Any) -> Any:
    return row.get("created_at") if isinstance(row, dict) else row.created_at


def _guid(row: Any) -> str:
    guid = row.get("wallet_user_guid") if isinstance(row, dict) else row.wallet_user_guid
    return str(guid)


def _log_reconcile(task: asyncio.Task[int]) -> None:
    """A background pass's outcome is logged (and its exception retrieved)."""
    if task.cancelled():
        log.info("reconcile pass cancelled: nothing deleted")
    elif task.exception() is not None:
        log.warning("reconcile pass failed, nothing deleted: %r", task.exception())
