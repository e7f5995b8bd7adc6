"""Digital entities (§3.6, §3.12.3): list, single get with balances, create processing/emission."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from . import ledger
from .auth import Principal, Who, needs
from .errors import FORBIDDEN_BRANCH, INVALID_KIND, NOT_FOUND, ApiError, bad_request
from .models import NewAccountBody
from .query import guid, in_clause, list_params, multi, order_dir, paging, single

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}", tags=["accounts"])
KINDS = ("customer", "processing", "emission")


def _list(request: Request, who: Principal, cp: str, branch: str | None) -> JSONResponse:
    store = request.app.state.store
    where = ["a.counterparty_guid = ?"]
    params: list[Any] = [cp]
    eff = "(CASE WHEN c.guid IS NOT NULL THEN c.branch_guid ELSE a.branch_guid END)"
    for b in (who.branch_guid, branch):
        if b is not None:
            where.append(f"{eff} = ?")
            params.append(b)
    in_clause("a.guid", multi(request, "wallet_account_guids"), where, params)
    in_clause("a.wallet_user_guid", multi(request, "wallet_user_guids"), where, params)
    kinds = multi(request, "account_kinds") + multi(request, "account_kind")
    in_clause("a.account_kind", kinds, where, params)
    iban = single(request, "iban")
    if iban:
        where.append("a.iban = ?")
        params.append(iban.replace(" ", "").upper())
    search = (single(request, "search_string") or "").strip()
    if search:
        where.append("(a.guid = ? OR a.iban = ? OR c.login = ? OR c.external_id = ? "
                     "OR c.guid = ?)")
        params += [search.lower(), search.replace(" ", "").upper(), search, search,
                   search.lower()]
    offset, limit = paging(request)
    clause = " AND ".join(where)
    direction = order_dir(request)
    base = "FROM accounts a LEFT JOIN customers c ON c.guid = a.wallet_user_guid "
    total = store.scalar(f"SELECT COUNT(*) {base} WHERE {clause}", params)
    rows = store.all(
        ledger.ACCOUNT_SELECT
        + f"WHERE {clause} ORDER BY a.created_at {direction}, a.guid {direction} "
        "LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return JSONResponse([{"accounts": [ledger.account_brief(r) for r in rows],
                          "total": int(total)}])


@router.get("/accounts", summary="List digital entities",
            openapi_extra=list_params("wallet_account_guids", "wallet_user_guids",
                                      "account_kinds",
                                      scalars=("iban", "search_string", "offset", "limit",
                                               "order")))
async def list_accounts(counterparty_guid: str, request: Request,
                        who: Who) -> Any:
    who.require("accounts", "GET")
    who.check_cp(request.app.state.store, counterparty_guid)
    return _list(request, who, counterparty_guid, None)


@router.get("/branch/{branch_guid}/accounts", summary="List a branch's digital entities",
            openapi_extra=list_params("wallet_account_guids", "wallet_user_guids",
                                      "account_kinds",
                                      scalars=("iban", "search_string", "offset", "limit",
                                               "order")))
async def list_branch_accounts(counterparty_guid: str, branch_guid: str, request: Request,
                               who: Who) -> Any:
    store = request.app.state.store
    who.require("accounts", "GET")
    who.check_cp(store, counterparty_guid)
    bg = guid(branch_guid, "branch_guid")
    if not store.scalar("SELECT 1 FROM branches WHERE guid = ? AND counterparty_guid = ?",
                        (bg, counterparty_guid)):
        raise ApiError(404, NOT_FOUND)
    who.require_branch(bg)
    return _list(request, who, counterparty_guid, bg)


@router.get("/accounts/{account_guid}", summary="Get one digital entity with balances")
async def get_account(counterparty_guid: str, account_guid: str, request: Request,
                      who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("accounts", "GET")
    who.check_cp(store, counterparty_guid)
    row = ledger.get_account(store, guid(account_guid, "account_guid"))
    if row is None or row["counterparty_guid"] != counterparty_guid:
        raise ApiError(404, NOT_FOUND)
    who.require_branch(row["eff_branch"])
    return ledger.account_full(store, row)


@router.post("/accounts", summary="Create a processing or emission entity")
@needs("accounts", "POST")
async def create_account(counterparty_guid: str, body: NewAccountBody, request: Request,
                         who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("accounts", "POST")
    cp = who.check_cp(store, counterparty_guid)
    kind = body.account_kind
    if kind not in ("processing", "emission"):
        raise bad_request(INVALID_KIND)
    branch = guid(body.branch_guid, "branch_guid") if body.branch_guid else None
    if branch and kind != "processing":
        raise bad_request(INVALID_KIND)
    if who.branch_guid is not None and branch != who.branch_guid:
        raise ApiError(403, FORBIDDEN_BRANCH)
    with store.tx():
        if branch:
            row = store.one("SELECT is_deleted FROM branches WHERE guid = ? AND "
                            "counterparty_guid = ?", (branch, counterparty_guid))
            if row is None or row["is_deleted"]:
                raise bad_request("branch not found")
        iban = None
        if body.iban:
            iban = body.iban.replace(" ", "").upper()
            if store.scalar("SELECT 1 FROM accounts WHERE iban = ?", (iban,)):
                raise bad_request("iban already in use")
        aguid = ledger.create_account(store, counterparty_guid=counterparty_guid,
                                      owner_guid=cp["key_keeper_guid"], kind=kind,
                                      branch_guid=branch, iban=iban)
    return {"guid": aguid}
