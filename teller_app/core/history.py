"""An account's payment history from the platform, paged, newest first.

The documented list filters (§3.8) have ``sender_ids`` and ``receiver_ids`` but no "either
side", so the history is two lists (outgoing, incoming) merged by ``created_at``; a payment
never has the same account on both sides (§5.1), so nothing appears twice. Each side is read
one page ahead of need. What was fetched is kept per (account, filters) so the card can show
it offline, marked with when it was fetched.

Nothing the server does with ``order`` is trusted (§1.6: its values were not visible): each
side asks for ``desc`` and looks at what came back. Newest first: read on. Oldest first (the
value ignored): the side is read from its end (offsets from the first ``total``, each page
reversed). Neither, or a page out of step with the one before: the rest of the side is read
whole and sorted here. Rows are checked against the filters (a server may not know a
filter's name) and each payment is listed once.

The offline copy holds the newest ``COPY_ROWS`` rows the card fetched (``HistoryCopy``): it
is made while the first pages arrive and left alone as the teller scrolls deeper, so a page
at 40 000 rows costs what one at 600 does; a copy cut there says so (``cut``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from teller_app.cache.history import MAX_COPIES_PER_EMPLOYEE, MAX_COPY_ROWS
from teller_app.core.concurrent_reads import read_all
from teller_app.platform import PlatformClient
from teller_app.platform.models import Payment, PaymentPage
from teller_app.platform.payment_filters import PaymentFilters, payment_matches

if TYPE_CHECKING:  # history_copy imports this module
    from teller_app.core.history_copy import HistoryCopies

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The offline copy's rows: the newest, which is what a teller offline asks about (did
# today's deposit land, the last payments); 500 is ten of the card's pages and ~0.3 MB.
COPY_ROWS = MAX_COPY_ROWS
# The hub's voided drafts among these guids (``core.till_cash.HubCash.voided``).
VoidedLookup = Callable[[Sequence[str]], Awaitable[set[str]]]


@dataclass(frozen=True)
class HistoryFilter:
    date_from: datetime | None = None  # inclusive
    date_to: datetime | None = None  # inclusive
    category_guid: str = ""
    status: str = ""  # "" = any, else a platform status such as "CONFIRMED"

    def payment_filters(self) -> PaymentFilters:
        """These filters as the platform's list takes them ("" and None: no filter)."""
        return PaymentFilters(created_at_min=self.date_from, created_at_max=self.date_to,
                              category_guid=self.category_guid or None,
                              statuses=[self.status] if self.status else None)


@dataclass(frozen=True)
class HistoryRow:
    payment: Payment
    incoming: bool  # True: money came into the account
    voided: bool = False  # a draft voided at the hub (the platform still says CREATED)

    @property
    def signed_amount(self) -> Decimal:
        return self.payment.amount if self.incoming else -self.payment.amount

    @property
    def created_at(self) -> datetime:
        return self.payment.created_at or EPOCH


def _key(row: HistoryRow) -> tuple[datetime, str]:
    return row.created_at, row.payment.guid


def _stamp(payment: Payment) -> datetime:
    return payment.created_at or EPOCH


# How a side is read: "" not known yet, "desc" as asked, "asc" from its end (the server
# ignored ``order`` and lists oldest first), "whole" all of it, sorted here.
Reading = Literal["", "desc", "asc", "whole"]


@dataclass
class _Side:
    incoming: bool
    offset: int = 0  # rows read, counted newest first
    total: int | None = None
    buffer: list[HistoryRow] = field(default_factory=list)
    reading: Reading = ""
    floor: datetime | None = None  # the oldest ``created_at`` read so far ("desc")

    @property
    def exhausted(self) -> bool:
        return self.total is not None and self.offset >= self.total and not self.buffer

    @property
    def needs_fetch(self) -> bool:
        return not self.buffer and (self.total is None or self.offset < self.total)


class HistoryPager:
    """Pages of one account's history, newest first (``next_page`` until ``at_end``)."""

    def __init__(self, client: PlatformClient, account_guid: str,
                 filters: HistoryFilter | None = None, branch_guid: str | None = None,
                 page_size: int = 50, voided: VoidedLookup | None = None) -> None:
        self.client = client
        self.voided = voided
        self.account_guid = account_guid
        self.filters = filters or HistoryFilter()
        self.branch_guid = branch_guid
        self.page_size = page_size
        self._sides = (_Side(incoming=False), _Side(incoming=True))
        self._listed: set[str] = set()  # payments put in a buffer: each listed once
        self.fetched_at: float | None = None

    @property
    def total(self) -> int | None:
        """Both sides' totals once both have answered."""
        totals = [side.total for side in self._sides]
        return None if None in totals else sum(t or 0 for t in totals)

    @property
    def at_end(self) -> bool:
        return all(side.exhausted for side in self._sides)

    def _wanted(self, side: _Side) -> PaymentFilters:
        mine = [self.account_guid]
        wanted = self.filters.payment_filters()
        return replace(wanted, receiver_ids=mine) if side.incoming else replace(
            wanted, sender_ids=mine)

    async def _list(self, side: _Side, order: str, offset: int, limit: int) -> PaymentPage:
        return await self.client.list_payments(
            self._wanted(side), order=order, offset=offset, limit=limit,
            branch_guid=self.branch_guid)

    async def _fill_sides(self) -> None:
        """Until each side has a row or is done: the sides' reads travel together, their rows
        are taken in side order (a payment on both sides is listed once, as before). A side's
        position moves only with its rows, once every read succeeded: a failed read leaves
        every side where it was, and the retry reads the same rows again."""
        while needing := [side for side in self._sides if side.needs_fetch]:
            fetched = await read_all(*(self._fetch(side) for side in needing))
            for side, (moved, rows) in zip(needing, fetched, strict=True):
                side.offset, side.total = moved.offset, moved.total
                side.reading, side.floor = moved.reading, moved.floor
                self._accept(side, rows)

    async def _fetch(self, at: _Side) -> tuple[_Side, list[Payment]]:
        """The side's next rows and where it stands after them (``at`` itself unmoved)."""
        side = replace(at, buffer=[])
        if side.reading == "asc":
            rows = await self._read_from_end(side)
        elif side.reading == "whole":
            rows = await self._read_whole(side)
        else:
            page = await self._list(side, "desc", side.offset, self.page_size)
            rows = page.payments
            side.total = int(page.total)  # "asc" keeps this first one as its anchor
            side.reading = self._judge(side, rows, side.total)
            if side.reading == "asc":  # that was the oldest page: start at the other end
                rows = await self._read_from_end(side)
            elif side.reading == "whole":
                rows = await self._read_whole(side)
            else:
                side.offset += len(rows)
                side.floor = min((_stamp(p) for p in rows), default=side.floor)
        return side, rows

    def _accept(self, side: _Side, rows: list[Payment]) -> None:
        if not rows:
            side.total = side.offset  # a short answer ends the side whatever total says
        wanted = self._wanted(side)
        fresh = [p for p in rows if p.guid not in self._listed and payment_matches(p, wanted)]
        self._listed.update(p.guid for p in fresh)
        side.buffer.extend(HistoryRow(p, side.incoming) for p in fresh)
        side.buffer.sort(key=_key, reverse=True)

    def _judge(self, side: _Side, rows: list[Payment], total: int) -> Reading:
        """How to read on, from a page asked for newest first at ``side.offset``."""
        stamps = [_stamp(p) for p in rows]
        newest_first = all(a >= b for a, b in itertools.pairwise(stamps))
        if side.reading == "desc" or side.offset > 0:  # a later page: in step, or read whole
            in_step = side.floor is None or not stamps or stamps[0] <= side.floor
            return "desc" if newest_first and in_step else "whole"
        if len(rows) >= total or len(set(stamps)) < 2:
            # one page holds it all, or nothing shows an order: the order is that of
            # ``created_at`` either way as far as these rows go
            return "desc"
        if newest_first:
            return "desc"
        return "asc" if all(a <= b for a, b in itertools.pairwise(stamps)) else "whole"

    async def _read_from_end(self, side: _Side) -> list[Payment]:
        """The next rows newest first from a server listing oldest first: asc offsets from the
        side's first ``total`` (rows added since go after it and move nothing)."""
        total = side.total or 0
        want = min(self.page_size, total - side.offset)
        rows: list[Payment] = []
        while want > 0:
            page = await self._list(side, "asc", total - side.offset - want, want)
            rows = page.payments
            if len(rows) >= want or not rows:
                break
            want = len(rows)  # a page cap: ask for the rows next to those already read
        side.offset += len(rows)
        return list(reversed(rows))

    async def _read_whole(self, side: _Side) -> list[Payment]:
        """Every row of the side (its order unknown); the side then holds nothing more."""
        rows: list[Payment] = []
        while True:
            page = await self._list(side, "desc", len(rows), max(self.page_size, 100))
            rows += page.payments
            if not page.payments or len(rows) >= int(page.total):
                break
        side.reading = "whole"
        side.offset = side.total = len(rows)
        return rows

    async def next_page(self) -> list[HistoryRow]:
        """The next rows, all or nothing: when a read (or the voided lookup) fails or is
        cancelled, the pager is as it was before the call, so calling again loses no row."""
        before = ([replace(side, buffer=list(side.buffer)) for side in self._sides],
                  set(self._listed))
        try:
            return await self._next_page()
        except BaseException:
            sides, self._listed = before
            self._sides = (sides[0], sides[1])
            raise

    async def _next_page(self) -> list[HistoryRow]:
        out: list[HistoryRow] = []
        while len(out) < self.page_size:
            await self._fill_sides()  # a page may hold no row of ours (filters unknown)
            heads = [side for side in self._sides if side.buffer]
            if not heads:
                break
            newest = max(heads, key=lambda s: _key(s.buffer[0]))
            out.append(newest.buffer.pop(0))
        drafts = [r.payment.guid for r in out if r.payment.status_raw.upper() == "CREATED"]
        if self.voided is not None and drafts:
            gone = await self.voided(drafts)
            out = [replace(r, voided=True) if r.payment.guid in gone else r for r in out]
        self.fetched_at = time.time()
        return out


@dataclass(frozen=True)
class HistoryCopy:
    """What is shown offline: the newest rows fetched, when, and whether the history went on
    past them (``cut``: the copy holds only the newest ``len(rows)``)."""
    fetched_at: float
    rows: list[HistoryRow]
    cut: bool = False


class HistoryMemory:
    """The last fetched rows per (account, filters), for showing offline: at most
    ``COPY_ROWS`` rows each, the last ``MAX_COPIES_PER_EMPLOYEE`` (account, filters)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, HistoryFilter], HistoryCopy] = {}

    def remember(self, account_guid: str, filters: HistoryFilter, rows: Sequence[HistoryRow],
                 fetched_at: float | None = None, cut: bool = False) -> None:
        key = (account_guid, filters)
        self._rows.pop(key, None)  # the newest last: the oldest go first
        self._rows[key] = HistoryCopy(fetched_at or time.time(), list(rows[:COPY_ROWS]),
                                      cut or len(rows) > COPY_ROWS)
        while len(self._rows) > MAX_COPIES_PER_EMPLOYEE:
            del self._rows[next(iter(self._rows))]

    def recall(self, account_guid: str, filters: HistoryFilter) -> HistoryCopy | None:
        return self._rows.get((account_guid, filters))


class HistoryService:
    """What the history view needs from one session: pagers, categories, the offline copy."""

    def __init__(self, client: PlatformClient, branch_guid: str | None,
                 memory: HistoryMemory | None = None,
                 voided: VoidedLookup | None = None,
                 copies: HistoryCopies | None = None, copy_rows: int = COPY_ROWS) -> None:
        self.client = client
        # rows the offline copy keeps (the newest; a test sets fewer)
        self.copy_rows = max(1, min(copy_rows, COPY_ROWS))
        self.voided = voided
        # the copy in the branch cache (restarts)
        self.copies = copies
        self.branch_guid = branch_guid or None
        self.memory = memory or HistoryMemory()
        self._categories: list[tuple[str, str, str]] | None = None

    def remember(self, account_guid: str, filters: HistoryFilter,
                 rows: Sequence[HistoryRow], fetched_at: float, cut: bool = False) -> None:
        """Remember the newest ``copy_rows`` of what was fetched, in memory (cheap: no copy
        of more rows than that is made)."""
        self.memory.remember(account_guid, filters, rows[:self.copy_rows], fetched_at,
                             cut or len(rows) > self.copy_rows)

    async def keep(self, account_guid: str, filters: HistoryFilter,
                   rows: Sequence[HistoryRow], fetched_at: float, cut: bool = False) -> None:
        """Remember what was fetched (memory now; the branch cache for after a restart, built
        and written off the UI thread): the newest ``copy_rows`` rows, ``cut`` when the
        history goes on past them."""
        cut = cut or len(rows) > self.copy_rows
        rows = rows[:self.copy_rows]
        self.remember(account_guid, filters, rows, fetched_at, cut)
        if self.copies is not None:
            await self.copies.save(account_guid, filters, rows, fetched_at, cut)

    async def offline_copy(self, account_guid: str,
                           filters: HistoryFilter) -> HistoryCopy | None:
        """The last fetched rows: this run's, else the branch cache's."""
        found = self.memory.recall(account_guid, filters)
        if found is None and self.copies is not None:
            found = await self.copies.load(account_guid, filters)
        return found

    def pager(self, account_guid: str, filters: HistoryFilter,
              page_size: int = 50) -> HistoryPager:
        return HistoryPager(self.client, account_guid, filters, self.branch_guid, page_size,
                            self.voided)

    async def categories(self) -> list[tuple[str, str, str]]:
        """(guid, code, description) of the payment categories, cash first."""
        if self._categories is None:
            items = await self.client.list_categories()
            rows = [(str(c.guid), str(c.name), str(c.description)) for c in items]
            rows.sort(key=lambda r: (r[1] not in ("04", "02"), r[1]))
            self._categories = rows
        return list(self._categories)
