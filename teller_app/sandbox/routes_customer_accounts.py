"""A customer's accounts (§3.4 and the seed page): list them, open another one."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request

from . import ledger
from .auth import Who, needs
from .errors import bad_request
from .models import NewCustomerAccountBody
from .query import single
from .routes_customers import clean_iban, load_customer

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}", tags=["customers"])


@router.get("/customers/{customer_guid}/accounts", summary="Customer's accounts")
async def customer_accounts(
    counterparty_guid: str, customer_guid: str, request: Request,
    who: Who,
) -> dict[str, Any]:
    store = request.app.state.store
    who.require("customers", "GET")
    who.check_cp(store, counterparty_guid)
    row = load_customer(store, who, counterparty_guid, customer_guid)
    sql = ledger.ACCOUNT_SELECT + "WHERE a.wallet_user_guid = ?"
    params: list[Any] = [row["guid"]]
    iban = single(request, "iban")
    if iban:
        sql += " AND a.iban = ?"
        params.append(iban.replace(" ", "").upper())
    rows = store.all(sql + " ORDER BY a.created_at", params)
    return {"accounts": [ledger.account_full(store, r) for r in rows], "total": len(rows)}


def _new_account_asset(store: Any, cp: str, row: sqlite3.Row,
                       body: NewCustomerAccountBody | None) -> dict[str, Any]:
    """The asset of an additional account: the one asked for (extension), else the first asset
    the customer's segment offers that the customer does not hold. One account per asset."""
    held = {(r[0], r[1]) for r in store.all(
        "SELECT asset_code, asset_issuer FROM accounts WHERE wallet_user_guid = ?",
        (row["guid"],))}
    if body is not None and (body.asset_code or body.asset_issuer):
        code, issuer = ledger.normalize_asset(store, body.asset_code, body.asset_issuer,
                                              any_asset=True)
        if (code, issuer) in held:
            raise bad_request(f"customer already has an account for asset {code}")
        return dict(ledger.find_asset(store, code, issuer) or {})
    offered = {(r[0], r[1]) for r in store.all(
        "SELECT asset_code, asset_issuer FROM account_types WHERE counterparty_guid = ? AND "
        "kind = 'customer' AND segment_name = ?", (cp, row["segment"]))}
    for asset in ledger.assets(store):
        key = (asset["code"], asset["issuer"])
        if key not in held and (not offered or key in offered):
            return asset
    raise bad_request("customer already has an account for every asset "
                      f"({', '.join(sorted(c for c, _ in held))})")


@router.post("/customers/{customer_guid}/accounts", summary="Create customer's account")
@needs("customers", "POST")
async def create_customer_account(
    counterparty_guid: str, customer_guid: str, request: Request, who: Who,
    body: NewCustomerAccountBody | None = None,
) -> dict[str, Any]:
    # Scope by the documented rule (§3.3): verb × the first path segment after {cp}.
    store = request.app.state.store
    who.require("customers", "POST")
    counterparty = who.check_cp(store, counterparty_guid)
    row = load_customer(store, who, counterparty_guid, customer_guid)
    who.require_operation("sign-up", row["login"], row["external_id"])
    _new_account_asset(store, counterparty_guid, row, body)
    clean_iban(store, body.iban if body else None)
    # Step 3 (§2.5): the customer's one secret serves the new account too.
    await request.app.state.bank_auth.call(
        counterparty, "key", sub=who.subject, obj=row["external_id"], flow="sign-up")
    with store.tx():
        asset = _new_account_asset(store, counterparty_guid, row, body)
        iban = clean_iban(store, body.iban if body else None)
        aguid = ledger.create_account(store, counterparty_guid=counterparty_guid,
                                      owner_guid=row["guid"], kind="customer", iban=iban,
                                      asset=asset)
    return {"wallet_account_guid": aguid}
