"""Filtered and sorted search in the branch cache (the filter bar over the search box).

Filters: status, segment, KYC level,
disabled, branch, created/updated ranges (RFC 3339 UTC bounds, ``from`` inclusive, ``to``
exclusive). Sorting by any result column over the whole result (SQL ``ORDER BY``, id as the
tie-break), or, with no sort, the search's own order for text (alphabetical by the sort key).
The columns filtered and sorted on are indexed (migration 5). Run on the cache thread:
``worker.with_cache(filtered_rows, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from teller_app.cache.rows import CustomerRow, SearchCount
from teller_app.cache.search import build_plan
from teller_app.cache.store import BranchCache
from teller_app.cache.store_read import _ROW_COLS, _row

# (four-eyes requests live on the hub: a status is only ever the customer's status)
REAL_STATUS = "c.status"
SORT_COLUMNS: dict[str, str] = {
    "full_name": "c.sort_key",
    "phone_number": "c.phone_number",
    "login": "c.login",
    "kyc_level": "c.kyc_level",
    "segment": "c.segment",
    "status": REAL_STATUS,
    "is_disabled": "c.is_disabled",
    "branch_name": "c.branch_name",
    "created_at": "c.created_at",
    "updated_at": "c.updated_at",
}


@dataclass(frozen=True)
class CustomerFilter:
    statuses: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    kyc_levels: tuple[int, ...] = ()
    disabled: bool | None = None
    branch_guid: str | None = None
    created_from: str | None = None
    created_to: str | None = None
    updated_from: str | None = None
    updated_to: str | None = None

    @property
    def empty(self) -> bool:
        return self == CustomerFilter()


@dataclass(frozen=True)
class SortSpec:
    column: str  # a key of SORT_COLUMNS
    descending: bool = False

    def __post_init__(self) -> None:
        if self.column not in SORT_COLUMNS:
            raise ValueError(f"cannot sort by {self.column!r}")


def _where(query: str, flt: CustomerFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    plan = build_plan(query)
    if plan is not None:
        clauses.append("c.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)")
        params.append(plan.match)

    def among(expr: str, values: tuple[Any, ...]) -> None:
        if values:
            clauses.append(f"{expr} IN ({', '.join('?' * len(values))})")
            params.extend(values)

    among(REAL_STATUS, flt.statuses)
    among("c.segment", flt.segments)
    among("c.kyc_level", flt.kyc_levels)
    if flt.disabled is not None:
        clauses.append("c.is_disabled = ?")
        params.append(int(flt.disabled))
    if flt.branch_guid:
        clauses.append("c.branch_guid = ?")
        params.append(flt.branch_guid)
    for column, low, high in (("created_at", flt.created_from, flt.created_to),
                              ("updated_at", flt.updated_from, flt.updated_to)):
        if low:
            clauses.append(f"c.{column} >= ?")
            params.append(low)
        if high:
            clauses.append(f"c.{column} < ?")
            params.append(high)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def filtered_rows(cache: BranchCache, query: str, flt: CustomerFilter, sort: SortSpec | None,
                  offset: int = 0, limit: int = 100) -> list[CustomerRow]:
    where, params = _where(query, flt)
    if sort is None:
        order = "c.sort_key, c.id"
    else:
        direction = " DESC" if sort.descending else ""
        order = f"{SORT_COLUMNS[sort.column]}{direction}, c.id{direction}"
    cur = cache._conn.execute(
        f"SELECT {_ROW_COLS} FROM customers c{where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, offset))
    return [_row(r) for r in cur]


def filtered_count(cache: BranchCache, query: str, flt: CustomerFilter,
                   cap: int = 10_000) -> SearchCount:
    where, params = _where(query, flt)
    n = int(cache._conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM customers c{where} LIMIT ?)",
        (*params, cap + 1)).fetchone()[0])
    return SearchCount(min(n, cap), n > cap)


def distinct_values(cache: BranchCache) -> dict[str, list[Any]]:
    """Status, segment and KYC values present in the cache (the filter bar's choices)."""
    conn = cache._conn
    return {
        "statuses": [r[0] for r in conn.execute(
            f"SELECT DISTINCT {REAL_STATUS} FROM customers c ORDER BY 1") if r[0]],
        "segments": [r[0] for r in conn.execute(
            "SELECT DISTINCT segment FROM customers ORDER BY 1") if r[0]],
        "kyc_levels": [int(r[0]) for r in conn.execute(
            "SELECT DISTINCT kyc_level FROM customers ORDER BY 1")],
    }
