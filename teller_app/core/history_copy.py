"""The account history's offline copy in the encrypted branch cache (issue 15): what the card
last fetched per (account, filters) survives a restart and is shown offline "as of" its
fetch time. Rows travel as JSON (the platform's payment as it came, plus the incoming and
voided flags); only the employee who fetched a copy reads it back."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from teller_app.cache.errors import CacheError
from teller_app.cache.history import load_history, save_history
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.history import HistoryFilter, HistoryRow
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


def rows_of(text: str) -> list[HistoryRow]:
    return [HistoryRow(Payment.model_validate(item["payment"]), bool(item["incoming"]),
                       bool(item.get("voided"))) for item in json.loads(text)]


class HistoryCopies:
    """Save/load through the branch cache's worker."""

    def __init__(self, worker: CacheWorker, employee: str) -> None:
        self.worker = worker
        self.employee = employee

    async def save(self, account_guid: str, filters: HistoryFilter,
                   rows: Sequence[HistoryRow], fetched_at: float) -> None:
        if not self.employee or not self.worker.is_open:
            return
        text = rows_json(rows)
        try:
            await self.worker.with_cache(save_history, self.employee, account_guid,
                                         filter_key(filters), fetched_at, text)
        except CacheError as exc:  # the copy is a convenience: never fail the view
            log.info("history copy not saved: %s", type(exc).__name__)

    async def load(self, account_guid: str,
                   filters: HistoryFilter) -> tuple[float, list[HistoryRow]] | None:
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
            return fetched_at, rows_of(text)
        except (ValueError, KeyError, TypeError):  # an unreadable copy is no copy
            return None
