"""Branch access (§3.12.2): branch-scoped roles. ``employee.branch_guid`` stays the single
source of truth: adding a user to a branch role puts them in that branch, removing clears it."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .auth import Who, needs
from .contract import errors
from .errors import NOT_FOUND, ApiError, bad_request
from .models import Body
from .permission_table import permission_table
from .query import guid, list_params, multi, paging
from .routes_org import employee_json

router = APIRouter(prefix="/api/v1/counterparty/{counterparty_guid}", tags=["branch access"])
SCOPES = ["customers", "employees"]


class BranchRoleBody(Body):
    branch_guid: str | None = None
    role_name: str | None = None
    permission_guid: str | None = None
    employee_guid: str | None = None
    user_guid: str | None = None
    permission: str | None = None


def _branch_role(store: Any, cp: str, name: str | None) -> sqlite3.Row:
    if not name:
        raise bad_request("role_name is required")
    row = store.one("SELECT * FROM roles WHERE counterparty_guid = ? AND name = ? AND "
                    "branch_guid IS NOT NULL", (cp, name))
    if row is None:
        raise bad_request(f"branch role {name!r} not found")
    return row


def _branch(store: Any, cp: str, branch_guid: str | None) -> str:
    bg = guid(branch_guid, "branch_guid")
    if not store.scalar("SELECT 1 FROM branches WHERE guid = ? AND counterparty_guid = ?",
                        (bg, cp)):
        raise bad_request("branch not found")
    return bg


@router.get("/branches-access/scopes", summary="Branch access scopes")
async def scopes(counterparty_guid: str, request: Request, who: Who) -> dict[str, Any]:
    who.require("branches", "GET")
    who.check_cp(request.app.state.store, counterparty_guid)
    return {"scopes": SCOPES}


@router.post("/branches-access/role", summary="Create a branch-access role",
             responses=errors(409))
@needs("branches", "POST")
async def create_role(counterparty_guid: str, body: BranchRoleBody, request: Request,
                      who: Who) -> Any:
    store = request.app.state.store
    who.require("branches", "POST")
    who.check_cp(store, counterparty_guid)
    if not body.role_name:
        raise bad_request("role_name is required")
    with store.tx():
        bg = _branch(store, counterparty_guid, body.branch_guid)
        if store.scalar("SELECT 1 FROM roles WHERE counterparty_guid = ? AND name = ?",
                        (counterparty_guid, body.role_name)):
            return JSONResponse({"error": "role already exists"}, 409)
        store.conn.execute("INSERT INTO roles (counterparty_guid, name, branch_guid, created_at) "
                           "VALUES (?,?,?,?)", (counterparty_guid, body.role_name, bg, store.now()))
    return {}


@router.delete("/branches-access/role", summary="Delete a branch-access role")
@needs("branches", "DELETE")
async def delete_role(counterparty_guid: str, body: BranchRoleBody, request: Request,
                      who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "DELETE")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        role = _branch_role(store, counterparty_guid, body.role_name)
        store.conn.execute("DELETE FROM roles WHERE counterparty_guid = ? AND name = ?",
                           (counterparty_guid, role["name"]))
        store.conn.execute("DELETE FROM role_permissions WHERE counterparty_guid = ? AND "
                           "role_name = ?", (counterparty_guid, role["name"]))
        store.conn.execute("DELETE FROM employee_roles WHERE role_name = ? AND employee_guid IN "
                           "(SELECT guid FROM employees WHERE counterparty_guid = ?)",
                           (role["name"], counterparty_guid))
    return {}


def _permission(store: Any, permission_guid: str | None) -> str:
    pg = guid(permission_guid, "permission_guid")
    if not store.scalar("SELECT 1 FROM permissions WHERE guid = ? AND keto_kind = 'branch'",
                        (pg,)):
        raise bad_request("branch permission not found")
    return pg


@router.post("/branches-access/permission", summary="Add a permission to a branch role")
@needs("branches", "POST")
async def add_permission(counterparty_guid: str, body: BranchRoleBody, request: Request,
                         who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "POST")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        role = _branch_role(store, counterparty_guid, body.role_name)
        pg = _permission(store, body.permission_guid)
        store.conn.execute("INSERT OR IGNORE INTO role_permissions VALUES (?,?,?)",
                           (counterparty_guid, role["name"], pg))
    return {}


@router.delete("/branches-access/permission", summary="Remove a permission from a branch role")
@needs("branches", "DELETE")
async def remove_permission(counterparty_guid: str, body: BranchRoleBody, request: Request,
                            who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "DELETE")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        role = _branch_role(store, counterparty_guid, body.role_name)
        pg = _permission(store, body.permission_guid)
        store.conn.execute("DELETE FROM role_permissions WHERE counterparty_guid = ? AND "
                           "role_name = ? AND permission_guid = ?",
                           (counterparty_guid, role["name"], pg))
    return {}


@router.get("/branch/{branch_guid}/permission/table", summary="Branch roles × permissions",
            openapi_extra=list_params("role_names"))
async def table(counterparty_guid: str, branch_guid: str, request: Request,
                who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "GET")
    who.check_cp(store, counterparty_guid)
    bg = guid(branch_guid, "branch_guid")
    if not store.scalar("SELECT 1 FROM branches WHERE guid = ? AND counterparty_guid = ?",
                        (bg, counterparty_guid)):
        raise ApiError(404, NOT_FOUND)
    wanted = multi(request, "role_names")
    roles = [r[0] for r in store.all("SELECT name FROM roles WHERE counterparty_guid = ? AND "
                                     "branch_guid = ? ORDER BY created_at, name",
                                     (counterparty_guid, bg)) if not wanted or r[0] in wanted]
    return permission_table(store, counterparty_guid, roles, "branch")


@router.get("/branches-access/users", summary="Users of a branch role",
            openapi_extra=list_params(scalars=("role_name", "page_token", "limit"),
                                      required=("role_name",),
                                      schemas={"role_name": {"type": "string",
                                                             "minLength": 1}}))
async def users(counterparty_guid: str, request: Request, who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "GET")
    who.check_cp(store, counterparty_guid)
    role = _branch_role(store, counterparty_guid, request.query_params.get("role_name"))
    token = request.query_params.get("page_token") or "0"
    offset = int(token) if token.isdigit() and len(token) < 12 else 0
    _, limit = paging(request)
    rows = store.all("SELECT e.* FROM employees e JOIN employee_roles r ON r.employee_guid = "
                     "e.guid WHERE e.counterparty_guid = ? AND r.role_name = ? ORDER BY "
                     "e.created_at LIMIT ? OFFSET ?",
                     (counterparty_guid, role["name"], limit + 1, offset))
    return {"users": [employee_json(store, r) for r in rows[:limit]],
            "next_page_token": offset + limit if len(rows) > limit else 0}


def _employee(store: Any, cp: str, body: BranchRoleBody) -> str:
    eg = guid(body.employee_guid or body.user_guid, "employee_guid")
    if not store.scalar("SELECT 1 FROM employees WHERE guid = ? AND counterparty_guid = ?",
                        (eg, cp)):
        raise bad_request("employee not found")
    return eg


@router.post("/branches-access/users", summary="Add a user to a branch role (joins the branch)")
@needs("branches", "POST")
async def add_user(counterparty_guid: str, body: BranchRoleBody, request: Request,
                   who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "POST")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        role = _branch_role(store, counterparty_guid, body.role_name)
        eg = _employee(store, counterparty_guid, body)
        store.conn.execute("INSERT OR IGNORE INTO employee_roles VALUES (?, ?)",
                           (eg, role["name"]))
        store.conn.execute("UPDATE employees SET branch_guid = ?, updated_at = ? WHERE guid = ?",
                           (role["branch_guid"], store.now(), eg))
    return {}


@router.delete("/branches-access/users", summary="Remove a user from a branch role")
@needs("branches", "DELETE")
async def remove_user(counterparty_guid: str, body: BranchRoleBody, request: Request,
                      who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "DELETE")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        role = _branch_role(store, counterparty_guid, body.role_name)
        eg = _employee(store, counterparty_guid, body)
        store.conn.execute("DELETE FROM employee_roles WHERE employee_guid = ? AND "
                           "role_name = ?", (eg, role["name"]))
        store.conn.execute("UPDATE employees SET branch_guid = NULL, updated_at = ? "
                           "WHERE guid = ? AND branch_guid = ?",
                           (store.now(), eg, role["branch_guid"]))
    return {}


@router.post("/branches-access/check", summary="Check a user's branch permission")
@needs("branches", "GET")
async def check(counterparty_guid: str, body: BranchRoleBody, request: Request,
                who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "GET")
    who.check_cp(store, counterparty_guid)
    eg = _employee(store, counterparty_guid, body)
    emp = store.one("SELECT branch_guid, is_disabled FROM employees WHERE guid = ?", (eg,))
    wanted = (body.permission or "").upper()
    rows = store.all(
        "SELECT p.keto_permission, p.scope FROM employee_roles er JOIN roles r ON r.name = "
        "er.role_name AND r.counterparty_guid = ? AND r.branch_guid IS NOT NULL "
        "JOIN role_permissions rp ON rp.role_name = r.name AND rp.counterparty_guid = ? "
        "JOIN permissions p ON p.guid = rp.permission_guid WHERE er.employee_guid = ?",
        (counterparty_guid, counterparty_guid, eg))
    allowed = bool(emp["branch_guid"]) and not emp["is_disabled"] and (
        not wanted or any(wanted in (r[0], f"{r[1]}:{r[0]}".upper()) for r in rows))
    return {"allowed": allowed}
