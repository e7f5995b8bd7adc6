"""Roles and permissions (§3.3): the permission list, roles, their permissions and users,
the permission table."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .auth import Who, needs
from .contract import errors
from .errors import NOT_FOUND, ApiError, bad_request
from .models import (
    RoleBody,
    RolePermissionBody,
    RoleUserBody,
)
from .permission_table import permission_table as build_table
from .query import guid, in_clause, list_params, multi, paging
from .routes_org import checked_name, employee_json

router = APIRouter(prefix="/api/v1", tags=["organisation"])
CP = "/counterparty/{counterparty_guid}"


def _perm_json(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in ("guid", "keto_kind", "keto_permission", "scope", "name",
                                "name_lang_key", "group_name", "group_lang_key",
                                "group_sort_number", "sort_number")}


@router.get("/permissions", summary="Available permissions",
            openapi_extra=list_params("guids", "keto_kinds", "keto_permissions", "scope_names",
                                      scalars=("offset", "limit", "order")))
async def list_permissions(request: Request,
                           who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "GET")
    where, params = ["1 = 1"], []
    for param, col in (("guids", "guid"), ("keto_kinds", "keto_kind"),
                       ("keto_permissions", "keto_permission"), ("scope_names", "scope")):
        in_clause(col, multi(request, param), where, params)
    offset, limit = paging(request, default=1000)
    clause = " AND ".join(where)
    total = store.scalar(f"SELECT COUNT(*) FROM permissions WHERE {clause}", params)
    rows = store.all(f"SELECT * FROM permissions WHERE {clause} ORDER BY keto_kind, "
                     "group_sort_number, sort_number LIMIT ? OFFSET ?", [*params, limit, offset])
    return {"permissions": [_perm_json(r) for r in rows], "total": int(total)}


@router.get(CP + "/roles", summary="Roles of the counterparty")
async def list_roles(counterparty_guid: str, request: Request,
                     who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "GET")
    who.check_cp(store, counterparty_guid)
    rows = store.all("SELECT name FROM roles WHERE counterparty_guid = ? ORDER BY created_at, "
                     "name", (counterparty_guid,))
    return {"roles": [r[0] for r in rows]}


@router.post(CP + "/roles", summary="Create role",
             responses=errors(409))
@needs("roles", "POST")
async def create_role(counterparty_guid: str, body: RoleBody, request: Request,
                      who: Who) -> Any:
    store = request.app.state.store
    who.require("roles", "POST")
    who.check_cp(store, counterparty_guid)
    name = checked_name(body.role_name, "role_name")
    with store.tx():
        if store.scalar("SELECT 1 FROM roles WHERE counterparty_guid = ? AND name = ?",
                        (counterparty_guid, name)):
            return JSONResponse({"error": "role already exists"}, 409)
        store.conn.execute("INSERT INTO roles (counterparty_guid, name, created_at) "
                           "VALUES (?,?,?)", (counterparty_guid, name, store.now()))
    return {}


@router.delete(CP + "/roles", summary="Delete role")
@needs("roles", "DELETE")
async def delete_role(counterparty_guid: str, body: RoleBody, request: Request,
                      who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "DELETE")
    who.check_cp(store, counterparty_guid)
    name = checked_name(body.role_name, "role_name")
    if name == "Administrator":
        raise bad_request("role Administrator cannot be deleted")
    with store.tx():
        if not store.scalar("SELECT 1 FROM roles WHERE counterparty_guid = ? AND name = ?",
                            (counterparty_guid, name)):
            raise ApiError(404, NOT_FOUND)
        store.conn.execute("DELETE FROM roles WHERE counterparty_guid = ? AND name = ?",
                           (counterparty_guid, name))
        store.conn.execute("DELETE FROM role_permissions WHERE counterparty_guid = ? AND "
                           "role_name = ?", (counterparty_guid, name))
        store.conn.execute("DELETE FROM employee_roles WHERE role_name = ? AND employee_guid IN "
                           "(SELECT guid FROM employees WHERE counterparty_guid = ?)",
                           (name, counterparty_guid))
    return {}


def _role_perm(store: Any, cp: str, body: RolePermissionBody) -> tuple[str, str]:
    name = checked_name(body.role_name, "role_name")
    pg = guid(body.permission_guid, "permission_guid")
    if not store.scalar("SELECT 1 FROM roles WHERE counterparty_guid = ? AND name = ?",
                        (cp, name)):
        raise bad_request(f"role {name!r} not found")
    if not store.scalar("SELECT 1 FROM permissions WHERE guid = ?", (pg,)):
        raise bad_request("permission not found")
    return name, pg


@router.post(CP + "/roles/permission", summary="Add permission to role")
@needs("roles", "POST")
async def add_role_permission(counterparty_guid: str, body: RolePermissionBody,
                              request: Request,
                              who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "POST")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        name, pg = _role_perm(store, counterparty_guid, body)
        store.conn.execute("INSERT OR IGNORE INTO role_permissions VALUES (?,?,?)",
                           (counterparty_guid, name, pg))
    return {}


@router.delete(CP + "/roles/permission", summary="Remove permission from role")
@needs("roles", "DELETE")
async def remove_role_permission(counterparty_guid: str, body: RolePermissionBody,
                                 request: Request,
                                 who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "DELETE")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        name, pg = _role_perm(store, counterparty_guid, body)
        store.conn.execute("DELETE FROM role_permissions WHERE counterparty_guid = ? AND "
                           "role_name = ? AND permission_guid = ?", (counterparty_guid, name, pg))
    return {}


@router.get(CP + "/permission/table", summary="Roles with permissions (table)")
async def permission_table(counterparty_guid: str, request: Request,
                           who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "GET")
    who.check_cp(store, counterparty_guid)
    roles = [r[0] for r in store.all("SELECT name FROM roles WHERE counterparty_guid = ? "
                                     "ORDER BY created_at, name", (counterparty_guid,))]
    return build_table(store, counterparty_guid, roles, "endpoint",
                       extra=("scope", "keto_permission"))


def _role_user(store: Any, cp: str, body: RoleUserBody) -> tuple[str, str]:
    name = checked_name(body.role_name, "role_name")
    eg = guid(body.user_guid or body.employee_guid, "user_guid")
    if not store.scalar("SELECT 1 FROM roles WHERE counterparty_guid = ? AND name = ?",
                        (cp, name)):
        raise bad_request(f"role {name!r} not found")
    if not store.scalar("SELECT 1 FROM employees WHERE guid = ? AND counterparty_guid = ?",
                        (eg, cp)):
        raise bad_request("employee not found")
    return name, eg


@router.get(CP + "/roles/users", summary="Users of a role",
            openapi_extra=list_params(scalars=("role_name", "page_token", "limit")))
async def role_users(counterparty_guid: str, request: Request,
                     who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "GET")
    who.check_cp(store, counterparty_guid)
    role = request.query_params.get("role_name", "")
    offset = int(request.query_params.get("page_token") or 0) \
        if (request.query_params.get("page_token") or "0").isdigit() else 0
    _, limit = paging(request)
    rows = store.all("SELECT e.* FROM employees e JOIN employee_roles r ON r.employee_guid = "
                     "e.guid WHERE e.counterparty_guid = ? AND r.role_name = ? ORDER BY "
                     "e.created_at LIMIT ? OFFSET ?", (counterparty_guid, role, limit + 1, offset))
    more = len(rows) > limit
    return {"users": [employee_json(store, r) for r in rows[:limit]],
            "next_page_token": offset + limit if more else 0}


@router.post(CP + "/roles/users", summary="Add user to role")
@needs("roles", "POST")
async def add_role_user(counterparty_guid: str, body: RoleUserBody, request: Request,
                        who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "POST")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        name, eg = _role_user(store, counterparty_guid, body)
        store.conn.execute("INSERT OR IGNORE INTO employee_roles VALUES (?, ?)", (eg, name))
    return {}


@router.delete(CP + "/roles/users", summary="Remove user from role")
@needs("roles", "DELETE")
async def remove_role_user(counterparty_guid: str, body: RoleUserBody, request: Request,
                           who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("roles", "DELETE")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        name, eg = _role_user(store, counterparty_guid, body)
        store.conn.execute("DELETE FROM employee_roles WHERE employee_guid = ? AND "
                           "role_name = ?", (eg, name))
    return {}
