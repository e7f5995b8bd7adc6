"""Search sources with the filter bar's filters and the header's sort: in the cache (SQL over
the whole result, ``cache/filters.py``), or, while the cache is cold, mapped onto the
platform's list filters (``statuses``, ``segments``, ``kyc_levels``, ``is_disabled``,
``branch_guids``, ``min/max_created_at``, ``min/max_updated_at``) and its ``ordering``
(created_at, updated_at, surname) where the column has one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from teller_app.cache.filters import CustomerFilter, SortSpec, filtered_count, filtered_rows
from teller_app.ui.search_sources import PlatformSearchSource

if TYPE_CHECKING:
    from teller_app.cache.rows import CustomerRow
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.platform import PlatformClient
    from teller_app.platform.models.customers import Customer

PLATFORM_ORDERING = {"full_name": "surname", "created_at": "created_at",
                     "updated_at": "updated_at"}


@dataclass(frozen=True)
class FilterState:
    filter: CustomerFilter = field(default_factory=CustomerFilter)
    sort: SortSpec | None = None

    @property
    def active(self) -> bool:
        return not self.filter.empty or self.sort is not None

    @property
    def narrows(self) -> bool:
        """A filter leaves customers out (a sort alone does not)."""
        return not self.filter.empty


def narrows(source: object) -> bool:
    """True when ``source`` searches with the filter bar's filters on (the results' count
    then says so: ``SearchPanel``)."""
    return isinstance(source, (FilteredCacheSource, FilteredPlatformSource)) and \
        source.state.narrows


class FilteredCacheSource:
    immediate = True
    label = "cache"

    def __init__(self, worker: CacheWorker, branch_guid: str | None, state: FilterState) -> None:
        self.worker = worker
        self.state = state
        self.filter = (CustomerFilter(**{**state.filter.__dict__, "branch_guid": branch_guid})
                       if branch_guid else state.filter)

    def in_name_order(self, query: str) -> bool:
        """Every match comes by the sort key unless another sort is asked
        (``NameOrderedSource``: the table then sorts nothing itself)."""
        sort = self.state.sort
        return sort is None or (sort.column == "full_name" and not sort.descending)

    async def first_page(self, query: str, limit: int) -> tuple[list[CustomerRow], int, bool]:
        rows = await self.page(query, 0, limit)
        if len(rows) < limit:
            return rows, len(rows), False
        count = await self.worker.with_cache(filtered_count, query, self.filter)
        return rows, int(count.n), bool(count.capped)

    async def page(self, query: str, offset: int, limit: int) -> list[CustomerRow]:
        return list(await self.worker.with_cache(filtered_rows, query, self.filter,
                                                 self.state.sort, offset, limit))


class FilteredPlatformSource(PlatformSearchSource):
    """The platform's list filters; a sort the platform cannot order by sorts what is
    loaded (the model does that)."""

    def __init__(self, client: PlatformClient, branch_guid: str | None,
                 state: FilterState) -> None:
        super().__init__(client, branch_guid)
        self.state = state
        self._cursor: _Cursor | None = None

    def platform_filters(self) -> dict[str, Any]:  # list_customers keywords (mixed types)
        f = self.state.filter
        out: dict[str, Any] = {}
        if f.statuses:
            out["statuses"] = list(f.statuses)
        if f.segments:
            out["segments"] = list(f.segments)
        if f.kyc_levels:
            out["kyc_levels"] = list(f.kyc_levels)
        if f.disabled is not None:
            out["is_disabled"] = f.disabled
        if f.branch_guid and not self.branch_guid:
            out["branch_guids"] = [f.branch_guid]
        for key, value in (("min_created_at", f.created_from), ("max_created_at", f.created_to),
                           ("min_updated_at", f.updated_from), ("max_updated_at", f.updated_to)):
            if value:
                out[key] = value
        sort = self.state.sort
        if sort is not None and sort.column in PLATFORM_ORDERING:
            out["ordering"] = ("-" if sort.descending else "") + PLATFORM_ORDERING[sort.column]
        return out

    async def _filters(self, query: str) -> dict[str, Any] | None:
        filters = await super()._filters(query)
        if filters is None:
            return None
        return {**filters, **self.platform_filters()}

    async def first_page(self, query: str, limit: int) -> tuple[list[Customer], int, bool]:
        rows, total, capped = await super().first_page(query, limit)
        if self.state.filter.disabled is None:
            return rows, total, capped
        # a short first page that is the whole list needs no read to find its end
        self._cursor = _Cursor(query, ended_after_first=len(rows) >= total and not capped)
        kept = await self._read_kept(query, rows, limit, 1)
        if self._cursor.dropped:
            # the platform listed customers the filter leaves out, so its total counts them
            # too: "N+" until the list is read to its end
            return kept, len(kept), not self._cursor.ended or bool(self._cursor.pending)
        return kept, total, capped

    async def page(self, query: str, offset: int, limit: int) -> list[Customer]:
        if self.state.filter.disabled is None:
            return await super().page(query, offset, limit)
        cursor = self._cursor
        if cursor is None or cursor.query != query or cursor.kept != offset:
            # not the next page of the list read so far: start again from its beginning
            self._cursor = cursor = _Cursor(query)
            self._merged = None
            await self._read_kept(query, None, offset, offset)
        return await self._read_kept(query, None, limit, 1)

    async def _read_kept(self, query: str, first: list[Customer] | None, limit: int,
                         at_least: int) -> list[Customer]:
        """Up to ``limit`` customers the filter keeps, once ``at_least`` are read (or the
        platform ended), in whole platform pages from the cursor; what a page brought beyond
        ``limit`` waits in the cursor. The table counts its offset in kept rows and takes an
        empty page for the end, so the platform's offset is kept here and an empty page is
        returned only at the platform's end."""
        cursor = self._cursor
        assert cursor is not None
        rows = first
        while len(cursor.pending) < at_least and not cursor.ended:
            if rows is None:
                rows = await super().page(query, cursor.platform, max(limit, 1))
            cursor.platform += len(rows)
            ended = not rows or (rows is first and cursor.ended_after_first)
            wanted = self._keep(rows)
            cursor.dropped = cursor.dropped or len(wanted) < len(rows)
            cursor.pending.extend(wanted)
            cursor.ended = ended
            rows = None
        kept, cursor.pending = cursor.pending[:limit], cursor.pending[limit:]
        cursor.kept += len(kept)
        return kept

    def _keep(self, rows: list[Customer]) -> list[Customer]:
        """``is_disabled`` reads "include disabled" on some platforms: disabled=False or
        True is made exact here."""
        wanted = self.state.filter.disabled
        if wanted is None:
            return rows
        return [r for r in rows if r.is_disabled == wanted]


@dataclass
class _Cursor:
    """How far a filtered platform list is read: rows handed to the table, the platform's own
    offset, and kept rows read but not handed yet."""

    query: str
    kept: int = 0
    platform: int = 0
    pending: list[Customer] = field(default_factory=list)
    dropped: bool = False
    ended: bool = False
    ended_after_first: bool = False
