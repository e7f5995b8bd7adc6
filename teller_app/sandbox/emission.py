"""Identifier issue/burn requests (§3.7): reserve rule, one open request, confirm/cancel."""

from __future__ import annotations

import sqlite3
from typing import Any

from . import ledger
from .db import Store, new_guid
from .errors import ApiError, bad_request
from .money import from_minor


def totals(store: Store, counterparty_guid: str) -> tuple[int, int]:
    """(sum of executed issues, sum of executed burns) in minor units."""
    rows = store.all(
        "SELECT direction, COALESCE(SUM(requested_amount), 0) FROM emission_requests "
        "WHERE counterparty_guid = ? AND status = 'confirmed' GROUP BY direction",
        (counterparty_guid,),
    )
    sums = {r[0]: int(r[1]) for r in rows}
    return sums.get("issue", 0), sums.get("burn", 0)


def _balance_row(store: Store, cp: sqlite3.Row) -> str:
    row = store.one(
        "SELECT guid FROM emission_balances WHERE counterparty_guid = ? AND asset_code = ?",
        (cp["guid"], cp["asset_code"]),
    )
    if row is not None:
        return str(row[0])
    guid = new_guid()
    now = store.now()
    store.conn.execute(
        "INSERT INTO emission_balances (guid, counterparty_guid, asset_code, "
        "emission_account_guid, reserve_balance_amount, created_at, updated_at) "
        "VALUES (?,?,?,?,0,?,?)",
        (guid, cp["guid"], cp["asset_code"], cp["emission_account_guid"], now, now),
    )
    return guid


def create_request(
    store: Store,
    counterparty_guid: str,
    direction: str,
    amount: int,
    reserve: int,
    created_by: str,
    *,
    auto: bool | None = None,
) -> str:
    """Validate and record a request; confirm it at once in auto mode. Caller holds the tx."""
    cp = store.one("SELECT * FROM counterparties WHERE guid = ?", (counterparty_guid,))
    if cp is None:
        raise ApiError(404, "not found")
    open_req = store.scalar(
        "SELECT COUNT(*) FROM emission_requests WHERE counterparty_guid = ? AND status = 'created'",
        (counterparty_guid,),
    )
    if open_req:
        raise bad_request("emission request already in created status")
    issued, burned = totals(store, counterparty_guid)
    outstanding = issued - burned
    need = outstanding + amount if direction == "issue" else outstanding - amount
    if reserve < need:
        raise bad_request("reserve balance condition is not met")
    if direction == "burn":
        bal = store.scalar("SELECT balance FROM accounts WHERE guid = ?",
                           (cp["emission_account_guid"],))
        if (bal or 0) < amount:
            raise bad_request("insufficient balance")
    if auto is None:
        auto = bool(cp["auto_issue"] if direction == "issue" else cp["auto_burn"])
    guid = new_guid()
    now = store.now()
    store.conn.execute(
        "INSERT INTO emission_requests (guid, counterparty_guid, balance_guid, direction, "
        "asset_code, asset_issuer, requested_amount, reserve_balance_amount, status, created_by, "
        "updated_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'created',?,?,?,?)",
        (guid, counterparty_guid, _balance_row(store, cp), direction, cp["asset_code"],
         cp["asset_issuer"], amount, reserve, created_by, created_by, now, now),
    )
    if auto:
        confirm_request(store, guid, created_by or "auto")
    return guid


def confirm_request(store: Store, guid: str, by: str) -> None:
    req = store.one("SELECT * FROM emission_requests WHERE guid = ?", (guid,))
    if req is None:
        raise ApiError(404, "not found")
    if req["status"] != "created":
        raise bad_request(f"emission request is {req['status']}, not created")
    cp = store.one("SELECT * FROM counterparties WHERE guid = ?", (req["counterparty_guid"],))
    assert cp is not None
    root = ledger.root_account(store)
    amount = int(req["requested_amount"])
    if req["direction"] == "issue":
        pay = ledger.transfer(store, cp["guid"], root, cp["emission_account_guid"], amount,
                              purpose="issue", created_by=by)
    else:
        bal = store.scalar("SELECT balance FROM accounts WHERE guid = ?",
                           (cp["emission_account_guid"],))
        if (bal or 0) < amount:
            raise bad_request("insufficient balance")
        pay = ledger.transfer(store, cp["guid"], cp["emission_account_guid"], root, amount,
                              purpose="burn", created_by=by)
    digest = store.scalar("SELECT hash FROM payments WHERE guid = ?", (pay,))
    now = store.now()
    store.conn.execute(
        "UPDATE emission_requests SET status = 'confirmed', issuer_payment_guid = ?, "
        "issuer_payment_hash = ?, emission_payment_guid = ?, emission_payment_hash = ?, "
        "updated_by = ?, updated_at = ? WHERE guid = ?",
        (pay, digest, pay, digest, by, now, guid),
    )
    store.conn.execute(
        "UPDATE emission_balances SET reserve_balance_amount = ?, updated_at = ? WHERE guid = ?",
        (req["reserve_balance_amount"], now, req["balance_guid"]),
    )


def cancel_request(store: Store, guid: str, by: str) -> None:
    req = store.one("SELECT status FROM emission_requests WHERE guid = ?", (guid,))
    if req is None:
        raise ApiError(404, "not found")
    if req["status"] != "created":
        raise bad_request(f"emission request is {req['status']}, not created")
    store.conn.execute(
        "UPDATE emission_requests SET status = 'canceled', updated_by = ?, updated_at = ? "
        "WHERE guid = ?",
        (by, store.now(), guid),
    )


def request_json(store: Store, row: sqlite3.Row) -> dict[str, Any]:
    bal = store.one("SELECT * FROM emission_balances WHERE guid = ?", (row["balance_guid"],))
    return {
        "balance": None if bal is None else {
            "asset_code": bal["asset_code"],
            "counterparty_guid": bal["counterparty_guid"],
            "created_at": bal["created_at"],
            "emission_account_guid": bal["emission_account_guid"],
            "guid": bal["guid"],
            "reserve_balance_amount": from_minor(bal["reserve_balance_amount"]),
            "updated_at": bal["updated_at"],
        },
        "created_at": row["created_at"],
        "created_by": row["created_by"],
        "direction": row["direction"],
        "emission_payment_guid": row["emission_payment_guid"],
        "emission_payment_hash": row["emission_payment_hash"],
        "guid": row["guid"],
        "issuer_payment_guid": row["issuer_payment_guid"],
        "issuer_payment_hash": row["issuer_payment_hash"],
        "requested_amount": from_minor(row["requested_amount"]),
        "reserve_balance_amount": from_minor(row["reserve_balance_amount"]),
        "status": row["status"],
        "updated_at": row["updated_at"],
        "updated_by": row["updated_by"],
        "asset_code": row["asset_code"],
        "asset_issuer": row["asset_issuer"],
    }
