"""``BranchCache``'s reads: ranked search, counts, pages, one customer, accounts, the sync
state. A base class of ``BranchCache`` (``cache/store.py``), which holds the connection."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from teller_app.cache import bulk_load, prefix_terms
from teller_app.cache.errors import CacheError
from teller_app.cache.rows import (
    AccountRow,
    AssetRow,
    CacheStats,
    CustomerRow,
    SearchCount,
    SyncState,
)
from teller_app.cache.search import RANK_LIMIT, SearchPlan, build_plan

# One table: CustomerRow's fields in order are the ``customers`` columns read (``guid`` is
# ``wallet_user_guid``); these few are not handed back by SQLite as the field's type.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "kyc_level": int, "is_disabled": bool, "balance_allowed": Decimal, "fetched_at": float,
}
_FIELDS = tuple(f.name for f in fields(CustomerRow))
_ROW_COLS = ", ".join("c.guid" if n == "wallet_user_guid" else f"c.{n}" for n in _FIELDS)
_CONVERTERS = tuple((i, _CONVERT[n]) for i, n in enumerate(_FIELDS) if n in _CONVERT)


def _row(r: Sequence[Any]) -> CustomerRow:
    # Positional and converting in place: as fast as a hand-written call (a search page is
    # built on every keystroke).
    values = list(r)
    for i, convert in _CONVERTERS:
        values[i] = convert(values[i])
    return CustomerRow(*values)


def _in_branch(branch_guid: str | None, alias: str = "c.") -> tuple[str, tuple[str, ...]]:
    """SQL ``AND`` clause + parameters restricting to one branch (head office's filter)."""
    if branch_guid is None:
        return "", ()
    return f" AND {alias}branch_guid = ?", (branch_guid,)


class CacheReads:
    # set by BranchCache.__init__
    _conn: Any  # a sqlcipher3 connection (the driver has no type hints); None once closed
    path: Path
    _secured: bool
    _batch_open: bool
    _bulk_wal: bool
    _loading: bool | None
    _key: bytes | None

    # ------------------------------------------------------------------ reads
    def search(
        self, query: str, offset: int = 0, limit: int = 100, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        """Ranked matches for ``query`` (see ``teller_app.cache`` docstring); blank query =
        ``customers_page``. Rows ``offset .. offset+limit`` of the whole ranked list.
        ``branch_guid``: only that branch's customers (head office with a chosen branch)."""
        plain = build_plan(query)
        plan = prefix_terms.expand(self._conn, plain)  # same rows, no bm25 (prefix_terms)
        if plan is None or plain is None:
            return self.customers_page(offset, limit, branch_guid=branch_guid)
        rows: list[CustomerRow] = []
        n0 = 0
        if plan.tier0 is not None:
            # The first page (every keystroke) needs no count of tier 0: at 1 000 000
            # customers counting a one-letter surname range costs more than a frame.
            n0 = self._tier0_count(plan, branch_guid) if offset else 0
            if offset < n0 or not offset:
                rows += self._tier0_rows(plan, offset, limit, branch_guid)
        want = limit - len(rows)
        if want > 0:
            # No tier 0 at all (a first name typed): no NOT clause for FTS to evaluate.
            no_tier0 = n0 == 0 if offset else not rows
            rest = plan.match if no_tier0 else plan.rest
            rows += self._rest_rows(rest, max(0, offset - n0), want, branch_guid,
                                    plain.match if no_tier0 else plain.rest)
        return rows

    def _fts_count(self, match: str, cap: int, branch_guid: str | None = None) -> int:
        if branch_guid is None:
            sql = (
                "SELECT count(*) FROM (SELECT 1 FROM customers_fts WHERE customers_fts MATCH ? "
                "LIMIT ?)"
            )
            return int(self._conn.execute(sql, (match, cap)).fetchone()[0])
        return int(
            self._conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM customers c WHERE c.id IN (SELECT rowid "
                "FROM customers_fts WHERE customers_fts MATCH ?) AND c.branch_guid = ? LIMIT ?)",
                (match, branch_guid, cap),
            ).fetchone()[0]
        )

    def _range_count(self, lo: str, hi: str, branch_guid: str | None) -> int:
        where, params = _in_branch(branch_guid, "")
        return int(
            self._conn.execute(
                f"SELECT count(*) FROM customers WHERE sort_key >= ? AND sort_key < ?{where}",
                (lo, hi, *params),
            ).fetchone()[0]
        )

    def _tier0_count(self, plan: SearchPlan, branch_guid: str | None = None) -> int:
        if plan.ranges:
            return sum(self._range_count(lo, hi, branch_guid) for lo, hi in plan.ranges)
        return self._fts_count(f"({plan.match}) AND ({plan.tier0})", 1_000_000_000, branch_guid)

    def _tier0_rows(
        self, plan: SearchPlan, offset: int, limit: int, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        """Surname-prefix matches, alphabetical: straight from the sort index for one word."""
        where, params = _in_branch(branch_guid)
        out: list[CustomerRow] = []
        if not plan.ranges:
            cur = self._conn.execute(
                f"SELECT {_ROW_COLS} FROM customers c WHERE c.id IN (SELECT rowid FROM "
                f"customers_fts WHERE customers_fts MATCH ?){where} ORDER BY c.sort_key, c.id "
                "LIMIT ? OFFSET ?",
                (f"({plan.match}) AND ({plan.tier0})", *params, limit, offset),
            )
            return [_row(r) for r in cur]
        for lo, hi in plan.ranges:
            if len(out) >= limit:
                break
            if offset:  # skipping whole ranges needs their sizes; the first page does not
                n = self._range_count(lo, hi, branch_guid)
                if offset >= n:
                    offset -= n
                    continue
            cur = self._conn.execute(
                f"SELECT {_ROW_COLS} FROM customers c WHERE c.sort_key >= ? AND c.sort_key < ?"
                f"{where} ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?",
                (lo, hi, *params, limit - len(out), offset),
            )
            out += [_row(r) for r in cur]
            offset = 0
        return out

    def _rest_rows(
        self, match: str, offset: int, limit: int, branch_guid: str | None = None,
        ranked_match: str | None = None,
    ) -> list[CustomerRow]:
        """Other matches: bm25 when few enough to rank within a frame, else cache order.
        ``ranked_match``: the same match as FTS5 prefixes, for bm25 (its scores differ)."""
        if branch_guid is None:
            # One pass over the match (a short prefix of a common name is ~100 000 matches
            # at 1 000 000 customers, ~10 ms a pass): its first ids both decide the ranking
            # and, when there are too many to rank, are the page.
            ids = [r[0] for r in self._conn.execute(
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?",
                (match, RANK_LIMIT + 1))]
            if len(ids) > RANK_LIMIT and offset + limit <= len(ids):
                page = ids[offset:offset + limit]
                marks = ",".join("?" * len(page))
                cur = self._conn.execute(
                    f"SELECT {_ROW_COLS} FROM customers c WHERE c.id IN ({marks}) ORDER BY c.id",
                    page)
                return [_row(r) for r in cur]
            ranked = len(ids) <= RANK_LIMIT
        else:
            ranked = self._fts_count(match, RANK_LIMIT + 1, branch_guid) <= RANK_LIMIT
        if ranked and ranked_match is not None:
            match = ranked_match
        if branch_guid is not None:
            order = "ORDER BY f.rank, c.id" if ranked else "ORDER BY c.id"
            cur = self._conn.execute(
                f"SELECT {_ROW_COLS} FROM (SELECT rowid AS id, rank FROM customers_fts "
                "WHERE customers_fts MATCH ?) f JOIN customers c ON c.id = f.id "
                f"WHERE c.branch_guid = ? {order} LIMIT ? OFFSET ?",
                (match, branch_guid, limit, offset),
            )
            return [_row(r) for r in cur]
        order = "ORDER BY rank" if ranked else ""
        cur = self._conn.execute(
            f"SELECT {_ROW_COLS} FROM (SELECT rowid AS id, rank FROM customers_fts "
            f"WHERE customers_fts MATCH ? {order} LIMIT ? OFFSET ?) f "
            "JOIN customers c ON c.id = f.id ORDER BY " + ("f.rank" if ranked else "f.id"),
            (match, limit, offset),
        )
        return [_row(r) for r in cur]

    def count(
        self, query: str, cap: int = 10_000, branch_guid: str | None = None
    ) -> SearchCount:
        """Number of matches, counted up to ``cap`` (``capped`` = "cap or more"). Raises
        ``CacheError`` while a bulk load's search index is not built (a first sync's end
        failed, e.g. on a full disk): it would count 0 where ``search`` lists rows by their
        surnames, and the desk shows no count rather than a wrong one."""
        plan = prefix_terms.expand(self._conn, build_plan(query))
        if plan is None:
            where, params = _in_branch(branch_guid, "")
            sql = "SELECT count(*) FROM customers WHERE 1" + where
            n = int(self._conn.execute(sql, params).fetchone()[0])
            return SearchCount(n, False)
        if bulk_load.pending(self._conn):
            raise CacheError(f"cache {self.path.name}: the search index is not built yet")
        n = self._fts_count(plan.match, cap + 1, branch_guid)
        return SearchCount(min(n, cap), n > cap)

    def customers_page(
        self, offset: int = 0, limit: int = 100, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        """All customers sorted by surname, name, paternal name (accent/case-folded);
        ``branch_guid``: only that branch's."""
        where, params = _in_branch(branch_guid)
        cur = self._conn.execute(
            f"SELECT {_ROW_COLS} FROM customers c WHERE 1{where} ORDER BY c.sort_key, c.id "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_row(r) for r in cur]

    def get_customer(self, guid: str) -> CustomerRow | None:
        r = self._conn.execute(f"SELECT {_ROW_COLS} FROM customers c WHERE c.guid = ?", (guid,))
        found = r.fetchone()
        return None if found is None else _row(found)

    def get_customer_extra(self, guid: str) -> dict[str, Any]:
        """Wire fields the cache does not model (e.g. balance_asset_code)."""
        r = self._conn.execute("SELECT extra FROM customers WHERE guid = ?", (guid,)).fetchone()
        return {} if r is None else dict(json.loads(r[0]))

    def get_accounts(self, guid: str) -> list[AccountRow]:
        out: list[AccountRow] = []
        for r in self._conn.execute(
            "SELECT guid, customer_guid, iban, name, type, assets, fetched_at FROM accounts "
            "WHERE customer_guid = ? ORDER BY iban, guid",
            (guid,),
        ):
            assets = tuple(
                AssetRow(
                    code=a["code"],
                    name=a["name"],
                    balance=Decimal(a["balance"]),
                    minor_unit=int(a["minor_unit"]),
                    stellar_code=a["stellar_code"],
                    stellar_issuer=a["stellar_issuer"],
                )
                for a in json.loads(r[5])
            )
            out.append(AccountRow(r[0], r[1], r[2], r[3], r[4], assets, float(r[6])))
        return out

    def accounts_fetched_at(self, guid: str) -> float | None:
        r = self._conn.execute(
            "SELECT max(fetched_at) FROM accounts WHERE customer_guid = ?", (guid,)
        ).fetchone()
        return None if r[0] is None else float(r[0])

    def all_guids(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT guid FROM customers")}

    def stats(self) -> CacheStats:
        n = int(self._conn.execute("SELECT count(*) FROM customers").fetchone()[0])
        s = self.sync_state()
        return CacheStats(n, s.last_sync_at, s.full_sync_done)

    def is_cold(self) -> bool:
        """True until a first full sync has completed, its search index built (search goes
        to the platform till then)."""
        return not self.sync_state().full_sync_done or bulk_load.pending(self._conn)

    def sync_state(self) -> SyncState:
        r = self._conn.execute(
            "SELECT cursor, tie_skip, full_sync_done, full_sync_started_at, last_sync_at, "
            "read_at, reconciled_at FROM sync_state WHERE id = 1"
        ).fetchone()
        return SyncState(r[0], int(r[1]), bool(r[2]), r[3], r[4], r[5], r[6])
