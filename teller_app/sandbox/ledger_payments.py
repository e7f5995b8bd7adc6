"""Payment rows of the ledger: the draft inserted, its money moved (CONFIRMED) or FAILED, and
its JSON shape; apart from ``ledger`` (accounts, routes) which re-exports these names."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from .db import Store, new_guid
from .errors import ApiError, bad_request
from .money import from_minor


def insert_payment(
    store: Store,
    *,
    counterparty_guid: str,
    sender: sqlite3.Row,
    receiver: sqlite3.Row,
    amount: int,
    category_guid: str = "",
    category: str = "",
    purpose: str = "",
    target_balance: int | None = None,
    external_transaction_id: str = "",
    created_by: str = "",
) -> str:
    guid = new_guid()
    now = store.now()
    store.conn.execute(
        "INSERT INTO payments (guid, counterparty_guid, sender_id, receiver_id, sender_kind, "
        "receiver_kind, sender_counterparty, receiver_counterparty, sender_branch_guid, "
        "receiver_branch_guid, sender_customer_guid, receiver_customer_guid, amount, fee, "
        "asset_code, asset_issuer, category_guid, category, purpose, target_balance, "
        "external_transaction_id, status, created_by, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,?,?,?,?,?,'CREATED',?,?,?)",
        (
            guid,
            counterparty_guid,
            sender["guid"],
            receiver["guid"],
            sender["account_kind"],
            receiver["account_kind"],
            sender["counterparty_guid"] or "",
            receiver["counterparty_guid"] or "",
            sender["eff_branch"],
            receiver["eff_branch"],
            sender["customer_guid"],
            receiver["customer_guid"],
            amount,
            sender["asset_code"],
            sender["asset_issuer"],
            category_guid,
            category,
            purpose,
            target_balance,
            external_transaction_id,
            created_by,
            now,
            now,
        ),
    )
    return guid


def execute_payment(store: Store, payment_guid: str, *, allow_negative: bool = False) -> str:
    """Move the money of a CREATED payment and mark it CONFIRMED. Returns the fake hash.
    Caller holds the transaction and has done the business checks."""
    pay = store.one("SELECT * FROM payments WHERE guid = ?", (payment_guid,))
    if pay is None:
        raise ApiError(404, "not found")
    if pay["status"] != "CREATED":
        raise bad_request("payment is not in CREATED status")
    amount = int(pay["amount"]) + int(pay["fee"])
    sender = store.one("SELECT balance FROM accounts WHERE guid = ?", (pay["sender_id"],))
    if sender is None or (not allow_negative and sender["balance"] < amount):
        raise bad_request("insufficient balance")
    now = store.now()
    store.conn.execute(
        "UPDATE accounts SET balance = balance - ?, updated_at = ? WHERE guid = ?",
        (amount, now, pay["sender_id"]),
    )
    store.conn.execute(
        "UPDATE accounts SET balance = balance + ?, updated_at = ? WHERE guid = ?",
        (int(pay["amount"]), now, pay["receiver_id"]),
    )
    digest = hashlib.sha256(f"{payment_guid}:{now}".encode()).hexdigest()
    store.conn.execute(
        "UPDATE payments SET status = 'CONFIRMED', hash = ?, confirmed_at = ?, updated_at = ? "
        "WHERE guid = ?",
        (digest, now, now, payment_guid),
    )
    return digest


def fail_payment(store: Store, payment_guid: str) -> bool:
    """Mark a CREATED payment FAILED (§5.2 [A]): final, never confirmed. False when it is
    no draft any more (a concurrent confirm won). Caller holds the transaction."""
    done = store.conn.execute(
        "UPDATE payments SET status = 'FAILED', updated_at = ? WHERE guid = ? AND "
        "status = 'CREATED'", (store.now(), payment_guid))
    return done.rowcount == 1


def payment_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "amount": from_minor(row["amount"]),
        "asset_code": row["asset_code"],
        "asset_issuer": row["asset_issuer"],
        "category": row["category"],
        "category_guid": row["category_guid"],
        "created_at": row["created_at"],
        "deleted_at": row["deleted_at"],
        "fee": from_minor(row["fee"]),
        "guid": row["guid"],
        "purpose": row["purpose"],
        "receiver_account_account_kind": row["receiver_kind"],
        "receiver_counterparty": row["receiver_counterparty"],
        "receiver_id": row["receiver_id"],
        "sender_account_account_kind": row["sender_kind"],
        "sender_counterparty": row["sender_counterparty"],
        "sender_id": row["sender_id"],
        "status": row["status"],
        "stellar_info": {"hash": row["hash"]},
        "target_balance": from_minor(row["target_balance"]),
        "updated_at": row["updated_at"],
        # extensions
        "external_transaction_id": row["external_transaction_id"],
        "confirmed_at": row["confirmed_at"],
        "created_by": row["created_by"],
        "sender_customer_guid": row["sender_customer_guid"] or "",
        "receiver_customer_guid": row["receiver_customer_guid"] or "",
        "sender_branch_guid": row["sender_branch_guid"] or "",
        "receiver_branch_guid": row["receiver_branch_guid"] or "",
    }
