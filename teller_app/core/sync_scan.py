"""The sync's run paged by offset in the server's own order ("scan", see ``core/sync.py``):
for a server where ``ordering`` is ignored or refused, a page comes back out of ``updated_at``
order, or rows lack a usable ``updated_at``. The window starts where an incremental run would
(``min_updated_at``), the cursor becomes the newest row seen, and a pass that saw fewer
customers than the first page's ``total`` promised is read again once. ``SyncEngine``
extends ``SyncScan``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from teller_app.cache import SyncState
from teller_app.cache.convert import canonical_ts
from teller_app.core.sync_paging import GuidSet, record_guid, updated_at_of
from teller_app.core.sync_reconcile import SyncReconcile

if TYPE_CHECKING:
    from teller_app.platform.models.customers import CustomerRecordPage

log = logging.getLogger("teller_app.core.sync")  # one logger for the sync and its runs
BATCH_PAGES = 10  # full sync: pages per cache transaction (BranchCache.store_page)


class SyncScan(SyncReconcile):
    if TYPE_CHECKING:  # SyncEngine's (core/sync.py): where a run starts, a page, progress
        _reported_at: float
        _received_at: float

        def _start(self, state: SyncState) -> str: ...

        def _fetch(self, cursor: str | None, skip: int, ordered: bool = True
                   ) -> asyncio.Future[CustomerRecordPage]: ...

        def _report(self, done: int, total: int, *, final: bool = False) -> None: ...

        def _report_received(self, done: int, total: int, *, final: bool = False
                             ) -> None: ...

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
        await self.worker.call(seen.clear)
        if self.connectivity is not None and state.last_sync_at is not None:
            self.connectivity.set_last_sync(state.last_sync_at)
        return received

    async def _scan_pass(
        self, state: SyncState, start: str | None
    ) -> tuple[int, GuidSet, int, SyncState]:
        offset = received = uncommitted = 0
        seen = GuidSet()
        expected: int | None = None
        newest = state.cursor or ""
        read_at: str | None = None
        self._reported_at = self._received_at = 0.0
        try:
            while True:
                page = await self._fetch(start, offset, ordered=False)
                if read_at is None and page.server_time is not None:
                    read_at = canonical_ts(page.server_time)
                total = int(page.total)
                expected = total if expected is None else expected
                rows = list(page.customers)
                self._report_received(received + len(rows), expected,
                                      final=not rows or offset + len(rows) >= total)
                seen.update(record_guid(r) for r in rows)
                for row in rows:
                    stamp = updated_at_of(row)
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
