"""Accounts and money movement: creating entities, transfer routes, executing payments.

Balances are integer minor units. The DCM ``root`` account of an asset goes negative by exactly
what was issued minus burned, so the sum over every other account equals issued − burned.
Payment rows (insert, execute, fail, JSON) live in ``ledger_payments`` and are re-exported here.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import timedelta
from typing import Any

from . import names
from .db import Store, fmt_ts, new_guid
from .errors import bad_request
from .ledger_payments import execute_payment as execute_payment
from .ledger_payments import fail_payment as fail_payment
from .ledger_payments import insert_payment as insert_payment
from .ledger_payments import payment_json as payment_json
from .money import from_minor

ASSET_NAME = "Ukraine Hryvnia"
ROOT_OWNER = "dcm-root"

_rng = random.SystemRandom()


def asset_info(store: Store) -> dict[str, Any]:
    """The primary asset (UAH): emission, limits and the manifest's ``asset``."""
    return {
        "code": store.meta("asset_code"),
        "issuer": store.meta("asset_issuer"),
        "stellar_code": store.meta("asset_stellar_code"),
        "minor_unit": 2,
        "name": ASSET_NAME,
    }


def assets(store: Store) -> list[dict[str, Any]]:
    """Every asset customers may hold, the primary first (meta ``extra_assets``)."""
    extra = json.loads(store.meta("extra_assets") or "[]")
    return [asset_info(store), *extra]


def find_asset(store: Store, code: str | None, issuer: str | None) -> dict[str, Any] | None:
    """The asset with API code or on-chain code ``code`` and ``issuer``."""
    for asset in assets(store):
        if code in (asset["code"], asset["stellar_code"]) and issuer == asset["issuer"]:
            return asset
    return None


def normalize_asset(store: Store, code: str | None, issuer: str | None,
                    *, any_asset: bool = False) -> tuple[str, str]:
    """Accept the API code (UAH) or the on-chain code (eUAH) of the primary asset (with
    ``any_asset``: of any asset); 400 for any other asset."""
    if not code:
        raise bad_request("asset_code is required")
    if not issuer:
        raise bad_request("asset_issuer is required")
    asset = find_asset(store, code, issuer)
    if asset is None or (not any_asset and asset["code"] != store.meta("asset_code")):
        raise bad_request(f"unknown asset {code}/{issuer}")
    return str(asset["code"]), str(asset["issuer"])


def new_iban(store: Store, counterparty_guid: str) -> str:
    mfo = store.scalar("SELECT mfo FROM counterparties WHERE guid = ?", (counterparty_guid,))
    return names.ua_iban(str(mfo or "300000"), _rng.randrange(10**18))


def account_type_guid(store: Store, counterparty_guid: str, kind: str,
                      asset_code: str | None = None) -> str:
    row = store.one(
        "SELECT guid FROM account_types WHERE counterparty_guid = ? AND kind = ? "
        "AND asset_code = ?",
        (counterparty_guid, kind, asset_code or store.meta("asset_code")),
    )
    return "" if row is None else str(row[0])


def create_account(
    store: Store,
    *,
    counterparty_guid: str | None,
    owner_guid: str,
    kind: str,
    branch_guid: str | None = None,
    iban: str | None = None,
    guid: str | None = None,
    asset: dict[str, Any] | None = None,
) -> str:
    asset = asset or asset_info(store)
    guid = guid or new_guid()
    now = store.now()
    if iban is None:
        iban = new_iban(store, counterparty_guid) if counterparty_guid else ""
    store.conn.execute(
        "INSERT INTO accounts (guid, counterparty_guid, wallet_user_guid, account_kind, iban, "
        "stellar_address, branch_guid, asset_code, asset_issuer, balance, account_type_guid, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,0,?,?,?)",
        (
            guid,
            counterparty_guid,
            owner_guid,
            kind,
            iban,
            names.stellar_address(_rng),
            branch_guid,
            asset["code"],
            asset["issuer"],
            account_type_guid(store, counterparty_guid, kind, asset["code"])
            if counterparty_guid else "",
            now,
            now,
        ),
    )
    return guid


def root_account(store: Store) -> str:
    row = store.one("SELECT guid FROM accounts WHERE account_kind = 'root'")
    if row is not None:
        return str(row[0])
    return create_account(store, counterparty_guid=None, owner_guid=ROOT_OWNER, kind="root")


# -- account lookup ------------------------------------------------------------------------

ACCOUNT_SELECT = (
    "SELECT a.*, c.guid AS customer_guid, c.is_disabled AS customer_disabled, "
    "c.balance_allowed AS customer_balance_allowed, c.segment AS customer_segment, "
    "c.external_id AS customer_external_id, "
    "CASE WHEN c.guid IS NOT NULL THEN c.branch_guid ELSE a.branch_guid END AS eff_branch "
    "FROM accounts a LEFT JOIN customers c ON c.guid = a.wallet_user_guid "
)


def get_account(store: Store, guid: str) -> sqlite3.Row | None:
    return store.one(ACCOUNT_SELECT + "WHERE a.guid = ?", (guid,))


def get_account_by_iban(store: Store, iban: str) -> sqlite3.Row | None:
    return store.one(ACCOUNT_SELECT + "WHERE a.iban = ?", (iban.replace(" ", "").upper(),))


def account_assets(store: Store, row: sqlite3.Row) -> list[dict[str, Any]]:
    asset = find_asset(store, row["asset_code"], row["asset_issuer"]) or asset_info(store)
    return [
        {
            "activated": True,
            "balance": from_minor(int(row["balance"])),
            "platform": "",
            "code": row["asset_code"],
            "name": asset["name"],
            "stellar_code": asset["stellar_code"],
            "stellar_issuer": row["asset_issuer"],
            "minor_unit": 2,
        }
    ]


def account_full(store: Store, row: sqlite3.Row) -> dict[str, Any]:
    """The account-with-balances shape (customer accounts, single GET, create customer)."""
    return {
        "platform": "",
        "type": row["account_type_guid"],
        "guid": row["guid"],
        "wallet_account_guid": row["guid"],
        "name": row["account_kind"],
        "assets_total": 1,
        "assets": account_assets(store, row),
        "activated": True,
        "registered": True,
        "blocked": False,
        "iban": row["iban"],
        # extensions (not in the docs): handy for a client, harmless otherwise
        "account_kind": row["account_kind"],
        "wallet_user_guid": row["wallet_user_guid"],
        "branch_guid": row["eff_branch"] or "",
    }


def account_brief(row: sqlite3.Row) -> dict[str, Any]:
    """The entities-list shape (no balances, per the docs)."""
    return {
        "account_kind": row["account_kind"],
        "counterparty_guid": row["counterparty_guid"] or "",
        "created_at": row["created_at"],
        "iban": row["iban"],
        "stellar_address": row["stellar_address"],
        "updated_at": row["updated_at"],
        "wallet_account_guid": row["guid"],
        "wallet_user_external_id": row["customer_external_id"] or "",
        "wallet_user_guid": row["wallet_user_guid"],
        "branch_guid": row["eff_branch"] or "",
    }


# -- routes ----------------------------------------------------------------------------------

_INTERNAL_ROUTES = {
    ("emission", "processing"),
    ("processing", "customer"),
    ("customer", "customer"),
    ("processing", "emission"),
    ("customer", "processing"),
    ("processing", "processing"),  # [A] branch funding
}
_EXTERNAL_ROUTES = {("processing", "processing"), ("customer", "customer")}


def check_route(sender: sqlite3.Row, receiver: sqlite3.Row) -> None:
    pair = (sender["account_kind"], receiver["account_kind"])
    if sender["guid"] == receiver["guid"]:
        raise bad_request("transfer route is not allowed")
    same = sender["counterparty_guid"] == receiver["counterparty_guid"]
    allowed = _INTERNAL_ROUTES if same else _EXTERNAL_ROUTES
    if pair not in allowed:
        raise bad_request("transfer route is not allowed")


def check_bank_guid(sender: sqlite3.Row, receiver: sqlite3.Row, bank_guid: str | None) -> None:
    external = sender["counterparty_guid"] != receiver["counterparty_guid"]
    if external and not bank_guid:
        raise bad_request("bank_guid is required for external transfer")
    if bank_guid and bank_guid != receiver["counterparty_guid"]:
        raise bad_request("bank_guid does not match the receiver's counterparty")


def check_not_disabled(*rows: sqlite3.Row) -> None:
    for row in rows:
        if row["customer_guid"] is not None and row["customer_disabled"]:
            raise bad_request("customer is disabled")


BALANCE_ALLOWED_FREE = "balance-allowed-free"


def check_receiver_allowance(receiver: sqlite3.Row, amount: int,
                             dialects: frozenset[str] = frozenset()) -> None:
    """§7 #12 [A]: ``balance_allowed`` caps what a customer account may hold, and an inbound
    payment past it fails. §1.4 [D] documents no semantics, so under the
    ``balance-allowed-free`` dialect the field has no effect on payments."""
    if BALANCE_ALLOWED_FREE in dialects:
        return
    allowed = receiver["customer_balance_allowed"]
    if receiver["customer_guid"] is not None and allowed and receiver["balance"] + amount > allowed:
        raise bad_request("balance allowed exceeded")


# -- payments (the rows, execution and JSON shape: ledger_payments) --------------------------


def transfer(
    store: Store, counterparty_guid: str, sender_guid: str, receiver_guid: str, amount: int,
    category: str = "", purpose: str = "", created_by: str = "sandbox",
) -> str:
    """Create + confirm in one go (seeding and emission). Caller holds the transaction."""
    sender = get_account(store, sender_guid)
    receiver = get_account(store, receiver_guid)
    assert sender is not None and receiver is not None
    cat = store.one("SELECT guid, name FROM categories WHERE name = ?", (category,))
    guid = insert_payment(
        store,
        counterparty_guid=counterparty_guid,
        sender=sender,
        receiver=receiver,
        amount=amount,
        category_guid=cat["guid"] if cat else "",
        category=cat["name"] if cat else "",
        purpose=purpose,
        created_by=created_by,
    )
    execute_payment(store, guid, allow_negative=sender["account_kind"] == "root")
    return guid


PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def window_start(store: Store, period: str, period_key: int) -> str:
    days = period_key if period == "custom" else PERIOD_DAYS[period]
    return fmt_ts(store.now_dt() - timedelta(days=days))
