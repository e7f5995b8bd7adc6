"""Outgoing-payment limits (§3.10): exclusive bounds, rolling windows, customer over segment."""

from __future__ import annotations

import sqlite3
from typing import Any

from . import ledger
from .db import Store
from .errors import bad_request
from .money import from_minor

PERIODS = ("day", "week", "month", "year", "custom")


def effective(store: Store, cp: str, customer_guid: str, segment: str,
              asset_code: str) -> dict[tuple[str, str], sqlite3.Row]:
    """{(kind, period): limit row}; an individual limit replaces the segment's one."""
    rows = store.all(
        "SELECT * FROM limits WHERE counterparty_guid = ? AND asset_code = ? AND "
        "((scope = 'segment' AND key = ?) OR (scope = 'customer' AND key = ?)) "
        "ORDER BY CASE scope WHEN 'segment' THEN 0 ELSE 1 END",
        (cp, asset_code, segment, customer_guid),
    )
    out: dict[tuple[str, str], sqlite3.Row] = {}
    for row in rows:
        out[(row["kind"], row["period"])] = row
    return out


def check(store: Store, sender: sqlite3.Row, amount: int) -> None:
    """Raise 400 ``limit exceeded: <period>`` when the outgoing payment breaks a limit."""
    found = effective(store, sender["counterparty_guid"], sender["customer_guid"],
                      sender["customer_segment"] or "", sender["asset_code"])
    for (kind, period), row in found.items():
        if kind == "operation":
            lo, hi = row["min"], row["max"]
            if (lo is not None and not amount > lo) or (hi is not None and not amount < hi):
                raise bad_request("limit exceeded: operation")
            continue
        if row["max"] is None:
            continue
        since = ledger.window_start(store, period, int(row["period_key"]))
        spent = store.scalar(
            "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE sender_customer_guid = ? "
            "AND asset_code = ? AND status = 'CONFIRMED' AND confirmed_at > ?",
            (sender["customer_guid"], sender["asset_code"], since),
        )
        if not int(spent) + amount < row["max"]:
            raise bad_request(f"limit exceeded: {period}")


def columns(store: Store, cp: str, scope: str, key: str, kind: str,
            key_field: str) -> list[dict[str, Any]]:
    rows = store.all(
        "SELECT * FROM limits WHERE counterparty_guid = ? AND scope = ? AND key = ? AND kind = ? "
        "ORDER BY created_at", (cp, scope, key, kind),
    )
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        col = grouped.setdefault((r["account_type_guid"], r["asset_code"], r["asset_issuer"]), {
            "account_type_guid": r["account_type_guid"],
            "asset_code": ledger.asset_info(store)["stellar_code"],
            "asset_issuer": r["asset_issuer"],
            key_field: key,
        })
        if kind == "period":
            col.setdefault("period", {})[r["period"]] = {
                "max": from_minor(r["max"]), "period_key": r["period_key"]}
        else:
            col["min"] = from_minor(r["min"]) if r["min"] is not None else 0
            col["max"] = from_minor(r["max"]) if r["max"] is not None else 0
    return list(grouped.values())
