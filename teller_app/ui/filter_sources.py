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


class FilteredCacheSource:
    immediate = True
    label = "cache"

    def __init__(self, worker: CacheWorker, branch_guid: str | None, state: FilterState) -> None:
        self.worker = worker
        self.state = state
        self.filter = (CustomerFilter(**{**state.filter.__dict__, "branch_guid": branch_guid})
                       if branch_guid else state.filter)

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
        return self._keep(rows), total, capped

    async def page(self, query: str, offset: int, limit: int) -> list[Customer]:
        return self._keep(await super().page(query, offset, limit))

    def _keep(self, rows: list[Customer]) -> list[Customer]:
        """``is_disabled`` reads "include disabled" on some platforms: disabled=False or
        True is made exact here."""
        wanted = self.state.filter.disabled
        if wanted is None:
            return rows
        return [r for r in rows if r.is_disabled == wanted]
