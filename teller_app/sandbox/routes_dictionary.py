"""Segments (§3.5) and payment categories (§3.9)."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .auth import Who, needs
from .contract import errors
from .db import new_guid
from .errors import NOT_FOUND, ApiError, bad_request
from .models import CategoryBody, SegmentPatchBody
from .query import guid, list_params, multi

router = APIRouter(prefix="/api/v1", tags=["dictionary"])


@router.get("/counterparty/{counterparty_guid}/segments", summary="Segments",
            openapi_extra=list_params("segment_names"))
async def get_segments(counterparty_guid: str, request: Request,
                       who: Who) -> list[dict[str, Any]]:
    store = request.app.state.store
    who.require("segments", "GET")
    cp = who.check_cp(store, counterparty_guid)
    wanted = multi(request, "segment_names")
    segments: dict[str, list[dict[str, Any]]] = {}
    for r in store.all("SELECT * FROM account_types WHERE counterparty_guid = ? AND "
                       "segment_name != '' ORDER BY segment_name, kind", (counterparty_guid,)):
        if wanted and r["segment_name"] not in wanted:
            continue
        segments.setdefault(r["segment_name"], []).append({
            "account_type_guid": r["guid"], "asset_code": r["asset_code"],
            "asset_issuer": r["asset_issuer"], "counterparty_guid": r["counterparty_guid"],
            "kind": r["kind"], "segment_name": r["segment_name"]})
    return [{"counterparty": {"guid": cp["guid"], "name": cp["name"]}, "segments": segments}]


@router.patch("/counterparty/{counterparty_guid}/segments", summary="Move/rename a segment")
@needs("segments", "PATCH")
async def patch_segment(counterparty_guid: str, body: SegmentPatchBody, request: Request,
                        who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("segments", "PATCH")
    who.check_cp(store, counterparty_guid)
    tg = guid(body.account_type_guid, "account_type_guid")
    name = (body.segment_name or "").strip()
    if not name:
        raise bad_request("segment_name is required")
    with store.tx():
        if not store.scalar("SELECT 1 FROM account_types WHERE guid = ? AND "
                            "counterparty_guid = ?", (tg, counterparty_guid)):
            raise ApiError(404, NOT_FOUND)
        store.conn.execute("UPDATE account_types SET segment_name = ? WHERE guid = ?",
                           (name, tg))
    return {}


def _category_json(r: sqlite3.Row) -> dict[str, Any]:
    return {k: r[k] for k in ("created_at", "deleted_at", "description", "guid", "name",
                              "updated_at")}


@router.get("/dictionary/payment/category", summary="Payment categories")
async def list_categories(request: Request,
                          who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("categories", "GET")
    rows = store.all("SELECT * FROM categories WHERE deleted_at IS NULL ORDER BY name")
    return {"categories": [_category_json(r) for r in rows]}


def _category_fields(body: CategoryBody) -> tuple[str, str]:
    name = (body.name or "").strip()
    if not name:
        raise bad_request("name is required")
    if len(name) > 100 or len(body.description or "") > 1000:
        raise bad_request("name or description is too long")
    return name, body.description or ""


@router.post("/dictionary/payment/category", summary="Create payment category",
             responses=errors(409))
@needs("categories", "POST")
async def create_category(body: CategoryBody, request: Request,
                          who: Who) -> Any:
    store = request.app.state.store
    who.require("categories", "POST")
    name, desc = _category_fields(body)
    with store.tx():
        if store.scalar("SELECT 1 FROM categories WHERE name = ? AND deleted_at IS NULL",
                        (name,)):
            return JSONResponse({"error": "category already exists"}, 409)
        cg = new_guid()
        now = store.now()
        store.conn.execute("INSERT INTO categories (guid, name, description, created_at, "
                           "updated_at) VALUES (?,?,?,?,?)", (cg, name, desc, now, now))
    return {"guid": cg}


@router.put("/dictionary/payment/category/{category_guid}", summary="Update payment category",
            responses=errors(409))
@needs("categories", "PUT")
async def update_category(category_guid: str, body: CategoryBody, request: Request,
                          who: Who) -> Any:
    store = request.app.state.store
    who.require("categories", "PUT")
    cg = guid(category_guid, "category_guid")
    name, desc = _category_fields(body)
    with store.tx():
        if not store.scalar("SELECT 1 FROM categories WHERE guid = ? AND deleted_at IS NULL",
                            (cg,)):
            raise ApiError(404, NOT_FOUND)
        if store.scalar("SELECT 1 FROM categories WHERE name = ? AND guid != ? AND "
                        "deleted_at IS NULL", (name, cg)):
            return JSONResponse({"error": "category already exists"}, 409)
        store.conn.execute("UPDATE categories SET name = ?, description = ?, updated_at = ? "
                           "WHERE guid = ?", (name, desc, store.now(), cg))
    return {}


@router.delete("/dictionary/payment/category/{category_guid}",
               summary="Delete payment category")
async def delete_category(category_guid: str, request: Request,
                          who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("categories", "DELETE")
    cg = guid(category_guid, "category_guid")
    with store.tx():
        if not store.scalar("SELECT 1 FROM categories WHERE guid = ? AND deleted_at IS NULL",
                            (cg,)):
            raise ApiError(404, NOT_FOUND)
        now = store.now()
        store.conn.execute("UPDATE categories SET deleted_at = ?, updated_at = ? WHERE guid = ?",
                           (now, now, cg))
    return {}
