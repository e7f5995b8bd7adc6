"""Limit endpoints (§3.10): individual (customer) and standard (segment) limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from . import ledger, limits
from .auth import Principal, Who, needs
from .db import new_guid
from .errors import bad_request
from .models import LimitBody
from .money import to_minor
from .query import guid, list_params
from .routes_customers import load_customer

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}/limits", tags=["limits"])


def _key(request: Request, who: Principal, cp: str, scope: str, value: str | None) -> str:
    store = request.app.state.store
    if scope == "customer":
        if not value:
            raise bad_request("customer_guid is required")
        return str(load_customer(store, who, cp, value)["guid"])
    if not value:
        raise bad_request("segment_name is required")
    return value


def _get(request: Request, who: Principal, cp: str, scope: str, kind: str) -> dict[str, Any]:
    store = request.app.state.store
    who.require("limits", "GET")
    who.check_cp(store, cp)
    field = "customer_guid" if scope == "customer" else "segment_name"
    key = _key(request, who, cp, scope, request.query_params.get(field))
    return {"columns": limits.columns(store, cp, scope, key, kind, field)}


def _set(request: Request, who: Principal, cp: str, scope: str, kind: str,
         body: LimitBody) -> Response:
    store = request.app.state.store
    who.require("limits", "POST")
    who.check_cp(store, cp)
    key = _key(request, who, cp, scope,
               body.customer_guid if scope == "customer" else body.segment_name)
    code, issuer = ledger.normalize_asset(store, body.asset_code, body.asset_issuer)
    if body.max is None:
        raise bad_request("max is required")
    hi = to_minor(body.max, "max")
    lo = to_minor(body.min, "min", allow_zero=True) if body.min is not None else None
    if lo is not None and lo >= hi:
        raise bad_request("min must be less than max")
    if kind == "period":
        period = body.period or ""
        if period not in limits.PERIODS:
            raise bad_request(f"period must be one of {', '.join(limits.PERIODS)}")
        pkey = body.period_key if body.period_key is not None else 1
        if not 0 < pkey <= 3660:
            raise bad_request("period_key must be between 1 and 3660 days")
        if period == "custom" and pkey <= 1:
            raise bad_request("period_key must be greater than 1 for a custom period")
        if period != "custom":
            pkey = 1
    else:
        period, pkey = "operation", 1
    type_guid = guid(body.account_type_guid, "account_type_guid") \
        if body.account_type_guid else ""
    with store.tx():
        now = store.now()
        store.conn.execute(
            "INSERT INTO limits (guid, counterparty_guid, scope, key, account_type_guid, "
            "asset_code, asset_issuer, kind, period, period_key, min, max, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (counterparty_guid, "
            "scope, key, asset_code, kind, period) DO UPDATE SET account_type_guid = "
            "excluded.account_type_guid, period_key = excluded.period_key, min = excluded.min, "
            "max = excluded.max, updated_at = excluded.updated_at",
            (new_guid(), cp, scope, key, type_guid, code, issuer, kind, period, pkey, lo, hi,
             now, now),
        )
    return Response(status_code=204)


@router.get("/customer/amount", summary="Customer period limits",
            openapi_extra=list_params(scalars=("customer_guid",), required=("customer_guid",)))
async def get_customer_amount(counterparty_guid: str, request: Request,
                              who: Who) -> dict[str, Any]:
    return _get(request, who, counterparty_guid, "customer", "period")


@router.post("/customer/amount", summary="Set a customer period limit", status_code=204)
@needs("limits", "POST")
async def set_customer_amount(counterparty_guid: str, body: LimitBody, request: Request,
                              who: Who) -> Response:
    return _set(request, who, counterparty_guid, "customer", "period", body)


@router.get("/customer/payment", summary="Customer per-operation limits",
            openapi_extra=list_params(scalars=("customer_guid",), required=("customer_guid",)))
async def get_customer_payment(counterparty_guid: str, request: Request,
                               who: Who) -> dict[str, Any]:
    return _get(request, who, counterparty_guid, "customer", "operation")


@router.post("/customer/payment", summary="Set a customer per-operation limit", status_code=204)
@needs("limits", "POST")
async def set_customer_payment(counterparty_guid: str, body: LimitBody, request: Request,
                               who: Who) -> Response:
    return _set(request, who, counterparty_guid, "customer", "operation", body)


@router.get("/segment/amount", summary="Segment period limits",
            openapi_extra=list_params(scalars=("segment_name",), required=("segment_name",),
                                      schemas={"segment_name": {"type": "string", "minLength": 1}}))
async def get_segment_amount(counterparty_guid: str, request: Request,
                             who: Who) -> dict[str, Any]:
    return _get(request, who, counterparty_guid, "segment", "period")


@router.post("/segment/amount", summary="Set a segment period limit", status_code=204)
@needs("limits", "POST")
async def set_segment_amount(counterparty_guid: str, body: LimitBody, request: Request,
                             who: Who) -> Response:
    return _set(request, who, counterparty_guid, "segment", "period", body)


@router.get("/segment/payment", summary="Segment per-operation limits",
            openapi_extra=list_params(scalars=("segment_name",), required=("segment_name",),
                                      schemas={"segment_name": {"type": "string", "minLength": 1}}))
async def get_segment_payment(counterparty_guid: str, request: Request,
                              who: Who) -> dict[str, Any]:
    return _get(request, who, counterparty_guid, "segment", "operation")


@router.post("/segment/payment", summary="Set a segment per-operation limit", status_code=204)
@needs("limits", "POST")
async def set_segment_payment(counterparty_guid: str, body: LimitBody, request: Request,
                              who: Who) -> Response:
    return _set(request, who, counterparty_guid, "segment", "operation", body)
