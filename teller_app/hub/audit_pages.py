"""GET /audit's pages (``routes_audit.list_audit``): a time window turned into the seq range
its rows lie in, and the reply of either order."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from . import audit
from .fe_tables import audit_log


def page_reply(rows: Sequence[sa.Row[Any]], cursor: int | None, newest_first: bool
                ) -> dict[str, Any]:
    entries = [audit.row_out(r) for r in rows]
    if newest_first:
        return {"entries": entries, "next_after_seq": None, "next_before_seq": cursor,
                "newest_first": True}
    return {"entries": entries, "next_after_seq": cursor, "newest_first": False}


# A window's seq range, kept a while per database (its URL) and window: a desk reads a long
# window a page at a time, and the range (one scan of the window's index entries: 15 M at a
# head office's month) would otherwise be read again for every page. Safe to keep: rows are
# only appended, with seqs above every row's, so a window's lowest seq never changes; its
# highest is kept only once the window has ended (a row at the newest ts_ms is past it) more
# than BOUNDS_SKEW_MS ago by this process's clock, so only a row from a clock further behind
# could still fall in it (two processes' clocks around midnight, where day windows end).
# Kept briefly (a restored database: seen within BOUNDS_KEEP_S). An empty window: never.
BOUNDS_KEEP_S = 30.0
BOUNDS_KEPT = 256
BOUNDS_SKEW_MS = 5 * 60_000
Bounds = tuple[int, int | None]  # the window's lowest seq; its highest once it has ended
_bounds: OrderedDict[tuple[str, int | None, int | None], tuple[float, int, int | None]] = (
    OrderedDict())


def _kept(key: tuple[str, int | None, int | None], ended: bool) -> Bounds | None:
    found = _bounds.get(key)
    if found is None or time.monotonic() - found[0] > BOUNDS_KEEP_S:
        _bounds.pop(key, None)
        return None
    if ended and found[2] is None:
        return None  # kept before the window ended: its highest seq may have grown since
    return found[1], found[2]


def _keep(key: tuple[str, int | None, int | None], low: int, high: int | None) -> None:
    _bounds[key] = (time.monotonic(), low, high)
    _bounds.move_to_end(key)
    while len(_bounds) > BOUNDS_KEPT:
        _bounds.popitem(last=False)


@dataclass
class Window:
    cond: list[sa.ColumnElement[bool]]
    low: int = 0  # the seq range the window's rows lie in
    high: int | None = None


async def time_window(conn: AsyncConnection, since_ms: int | None, until_ms: int | None
                      ) -> Window | None:
    """A time window's conditions, with the seq range its rows lie in, so the page's scan
    starts and stops inside the window instead of walking the history outside it (ts_ms
    only follows seq roughly: the range is the window's own min and max seq, one index-only
    range scan of ``ix_audit_log_ts_ms_seq``; the ts_ms conditions stay). None: no row in
    the window. An end past every row's ts_ms needs no bound (two index look-ups say so),
    so a window as wide as the trail scans nothing more."""
    ts, seq = audit_log.c.ts_ms, audit_log.c.seq
    out = Window([])
    if since_ms is not None:
        out.cond.append(ts >= since_ms)
    if until_ms is not None:
        out.cond.append(ts < until_ms)
    if not out.cond:
        return out
    ends = (await conn.execute(sa.select(sa.select(sa.func.min(ts)).scalar_subquery(),
                                         sa.select(sa.func.max(ts)).scalar_subquery()))).one()
    if ends[0] is None:
        return None  # an empty trail
    low = since_ms is not None and since_ms > ends[0]
    high = until_ms is not None and until_ms <= ends[1]
    if not (low or high):
        return out
    key = (conn.engine.url.render_as_string(hide_password=True), since_ms, until_ms)
    bounds = _kept(key, high)
    if bounds is None:
        # count(*) beside min/max: PostgreSQL would otherwise turn min(seq) into "the first
        # seq in primary-key order whose ts_ms fits", which walks every older row to find it
        found = (await conn.execute(sa.select(sa.func.min(seq), sa.func.max(seq),
                                              sa.func.count()).where(*out.cond))).one()
        if not found[2]:
            return None
        settled = until_ms is not None and until_ms <= time.time() * 1000 - BOUNDS_SKEW_MS
        _keep(key, int(found[0]), int(found[1]) if high and settled else None)
        bounds = int(found[0]), int(found[1]) if high else None
    if low:
        out.low = bounds[0]
    if high:
        out.high = bounds[1]
    return out
