"""Identifier issue / burn requests and their history (§3.7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from . import emission, ledger
from .auth import Principal, Who, needs
from .errors import bad_request
from .models import EmissionBody
from .money import to_minor
from .query import in_clause, list_params, multi, opt_decimal, opt_ts, order_dir, paging, single

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}/emission",
                   tags=["emission"])


def _request(request: Request, who: Principal, cp: str, body: EmissionBody,
             direction: str) -> dict[str, Any]:
    store = request.app.state.store
    who.require("emission", "POST")
    who.check_cp(store, cp)
    ledger.normalize_asset(store, body.asset_code, body.asset_issuer)
    if body.amount is None:
        raise bad_request("amount is required")
    amount = to_minor(body.amount)
    reserve = 0 if body.reserve_balance is None else to_minor(
        body.reserve_balance, "reserve_balance", allow_zero=True)
    with store.tx():
        emission.create_request(store, cp, direction, amount, reserve, who.who,
                                auto=True if who.mode == "B" else None)
    return {}


@router.post("/issue", summary="Request identifier issue")
@needs("emission", "POST")
async def issue(counterparty_guid: str, body: EmissionBody, request: Request,
                who: Who) -> dict[str, Any]:
    return _request(request, who, counterparty_guid, body, "issue")


@router.post("/burn", summary="Request identifier burn")
@needs("emission", "POST")
async def burn(counterparty_guid: str, body: EmissionBody, request: Request,
               who: Who) -> dict[str, Any]:
    return _request(request, who, counterparty_guid, body, "burn")


@router.get("/history", summary="Issue/burn history",
            openapi_extra=list_params("guids", scalars=(
                "direction", "balance_guid", "asset_code", "asset_issuer", "status",
                "issuer_payment_guid", "emission_payment_guid", "issuer_payment_hash",
                "emission_payment_hash", "min_requested_amount", "max_requested_amount",
                "created_by", "updated_by", "min_created_at", "max_created_at",
                "min_updated_at", "max_updated_at", "order", "offset", "limit")))
async def history(counterparty_guid: str, request: Request,
                  who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("emission", "GET")
    who.check_cp(store, counterparty_guid)
    where, params = ["counterparty_guid = ?"], [counterparty_guid]
    in_clause("guid", multi(request, "guids"), where, params)
    for name in ("direction", "balance_guid", "asset_code", "asset_issuer", "status",
                 "issuer_payment_guid", "emission_payment_guid", "issuer_payment_hash",
                 "emission_payment_hash", "created_by", "updated_by"):
        value = single(request, name)
        if value is not None:
            where.append(f"{name} = ?")
            params.append(value)
    for name, op in (("min_requested_amount", ">="), ("max_requested_amount", "<=")):
        dec = opt_decimal(request, name)
        if dec is not None:
            where.append(f"requested_amount {op} ?")
            params.append(int(dec * 100))
    for name, col, op in (("min_created_at", "created_at", ">="),
                          ("max_created_at", "created_at", "<="),
                          ("min_updated_at", "updated_at", ">="),
                          ("max_updated_at", "updated_at", "<=")):
        ts = opt_ts(request, name)
        if ts is not None:
            where.append(f"{col} {op} ?")
            params.append(ts)
    offset, limit = paging(request)
    d = order_dir(request)
    clause = " AND ".join(where)
    total = store.scalar(f"SELECT COUNT(*) FROM emission_requests WHERE {clause}", params)
    rows = store.all(f"SELECT * FROM emission_requests WHERE {clause} ORDER BY seq {d} "
                     "LIMIT ? OFFSET ?", [*params, limit, offset])
    return {"history": [emission.request_json(store, r) for r in rows], "total": int(total)}
