"""The account history's offline copy in the encrypted branch cache (issue 15): what the card
last fetched per (account, filters) survives a restart and is shown offline "as of" its
fetch time. Rows travel as JSON (the platform's payment as it came, plus the incoming and
voided flags); only the employee who fetched a copy reads it back.

A copy is the newest ``COPY_ROWS`` rows and whether the history went on past them
(``{"rows": [...], "cut": true}``; an older copy is a bare list). Its JSON is built and read
off the UI thread (``asyncio.to_thread``), its write on the cache thread."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

from teller_app.cache.errors import CacheError
from teller_app.cache.history import load_history, save_history
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.history import COPY_ROWS, HistoryCopy, HistoryFilter, HistoryRow
from teller_app.platform.models import Payment

log = logging.getLogger(__name__)


def filter_key(filters: HistoryFilter) -> str:
    return json.dumps({
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "category": filters.category_guid, "status": filters.status}, sort_keys=True)


def rows_json(rows: Sequence[HistoryRow]) -> str:
    return json.dumps([{"payment": r.payment.model_dump(mode="json"), "incoming": r.incoming,
                        "voided": r.voided} for r in rows], separators=(",", ":"))


def _rows(items: Sequence[dict[str, object]]) -> list[HistoryRow]:
    return [HistoryRow(Payment.model_validate(item["payment"]), bool(item["incoming"]),
                       bool(item.get("voided"))) for item in items]


def copy_json(rows: Sequence[HistoryRow], cut: bool) -> str:
    """A copy as stored (blocking: ``rows_json`` of up to ``COPY_ROWS`` rows)."""
    return f'{{"cut":{"true" if cut else "false"},"rows":{rows_json(rows)}}}'


def copy_of(fetched_at: float, text: str) -> HistoryCopy:
    """A stored copy read back (blocking); a bare list is a copy from before copies were
    cut: its newest ``COPY_ROWS`` rows, cut when it held more."""
    data = json.loads(text)
    if isinstance(data, list):
        return HistoryCopy(fetched_at, _rows(data[:COPY_ROWS]), len(data) > COPY_ROWS)
    items = data["rows"]
    if not isinstance(items, list):
        raise TypeError("rows")
    return HistoryCopy(fetched_at, _rows(items[:COPY_ROWS]),
                       bool(data.get("cut")) or len(items) > COPY_ROWS)


class HistoryCopies:
    """Save/load through the branch cache's worker."""

    def __init__(self, worker: CacheWorker, employee: str) -> None:
        self.worker = worker
        self.employee = employee

    async def save(self, account_guid: str, filters: HistoryFilter,
                   rows: Sequence[HistoryRow], fetched_at: float, cut: bool = False) -> None:
        """Keep the newest ``COPY_ROWS`` of ``rows`` (``cut``: the history goes on past
        them); the JSON is built off the UI thread, written on the cache thread."""
        if not self.employee or not self.worker.is_open:
            return
        kept = list(rows[:COPY_ROWS])
        text = await asyncio.to_thread(copy_json, kept, cut or len(rows) > COPY_ROWS)
        try:
            await self.worker.with_cache(save_history, self.employee, account_guid,
                                         filter_key(filters), fetched_at, text, len(kept))
        except CacheError as exc:  # the copy is a convenience: never fail the view
            log.info("history copy not saved: %s", type(exc).__name__)

    async def load(self, account_guid: str, filters: HistoryFilter) -> HistoryCopy | None:
        if not self.employee or not self.worker.is_open:
            return None
        try:
            found = await self.worker.with_cache(load_history, self.employee, account_guid,
                                                 filter_key(filters))
        except CacheError as exc:
            log.info("history copy not read: %s", type(exc).__name__)
            return None
        if found is None:
            return None
        fetched_at, text = found
        try:
            return await asyncio.to_thread(copy_of, fetched_at, text)
        except (ValueError, KeyError, TypeError, AttributeError):  # unreadable: no copy
            return None
