"""Branches (§3.12), employees (§3.2), roles and permissions (§3.3)."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .auth import Who, employee_roles, needs
from .contract import errors
from .db import new_guid
from .errors import DUPLICATE_EMPLOYEE, NOT_FOUND, ApiError, bad_request
from .models import (
    BranchBody,
    BranchUpdateBody,
    EmployeeUpdateBody,
    NewEmployeeBody,
    RoleBody,
    RolePermissionBody,
    RoleUserBody,
)
from .passwords import hash_password
from .permission_table import permission_table as build_table
from .query import guid, in_clause, list_params, multi, opt_bool, order_dir, paging
from .world import create_employee

router = APIRouter(prefix="/api/v1", tags=["organisation"])
CP = "/counterparty/{counterparty_guid}"


def _processing_for(store: Any, branch_guid: str) -> str:
    row = store.one("SELECT guid FROM accounts WHERE branch_guid = ? AND account_kind = "
                    "'processing' ORDER BY created_at LIMIT 1", (branch_guid,))
    return "" if row is None else str(row[0])


def branch_json(store: Any, row: sqlite3.Row) -> dict[str, Any]:
    return {
        "counterparty_guid": row["counterparty_guid"],
        "created_at": row["created_at"],
        "guid": row["guid"],
        "is_deleted": bool(row["is_deleted"]),
        "name": row["name"],
        "updated_at": row["updated_at"],
        "processing_account_guid": _processing_for(store, row["guid"]),  # extension
    }


def _name(value: str | None, field: str = "name") -> str:
    if value is None or not value.strip():
        raise bad_request(f"{field} is required")
    if len(value) > 200:
        raise bad_request(f"{field} is too long")
    return value.strip()


# -- branches --------------------------------------------------------------------------------


@router.get(CP + "/branches", summary="List branches",
            openapi_extra=list_params("names", "guids", scalars=("limit", "offset", "order")))
async def list_branches(counterparty_guid: str, request: Request,
                        who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "GET")
    who.check_cp(store, counterparty_guid)
    where, params = ["counterparty_guid = ?"], [counterparty_guid]
    in_clause("name", multi(request, "names"), where, params)
    in_clause("guid", multi(request, "guids"), where, params)
    offset, limit = paging(request)
    clause = " AND ".join(where)
    total = store.scalar(f"SELECT COUNT(*) FROM branches WHERE {clause}", params)
    d = order_dir(request)
    rows = store.all(f"SELECT * FROM branches WHERE {clause} ORDER BY created_at {d}, guid {d} "
                     "LIMIT ? OFFSET ?", [*params, limit, offset])
    return {"list": [branch_json(store, r) for r in rows], "total": int(total)}


@router.post(CP + "/branches", summary="Create branch",
             responses=errors(409))
@needs("branches", "POST")
async def create_branch(counterparty_guid: str, body: BranchBody, request: Request,
                        who: Who) -> Any:
    store = request.app.state.store
    who.require("branches", "POST")
    who.check_cp(store, counterparty_guid)
    name = _name(body.name)
    with store.tx():
        if store.scalar("SELECT 1 FROM branches WHERE counterparty_guid = ? AND name = ?",
                        (counterparty_guid, name)):
            return JSONResponse({"error": "branch with this name already exists"}, 409)
        bg = new_guid()
        now = store.now()
        store.conn.execute("INSERT INTO branches (guid, counterparty_guid, name, created_at, "
                           "updated_at) VALUES (?,?,?,?,?)",
                           (bg, counterparty_guid, name, now, now))
    return {"guid": bg}


def _branch(store: Any, cp: str, branch_guid: str) -> sqlite3.Row:
    row = store.one("SELECT * FROM branches WHERE guid = ? AND counterparty_guid = ?",
                    (guid(branch_guid, "branch_guid"), cp))
    if row is None:
        raise ApiError(404, NOT_FOUND)
    return row


@router.get(CP + "/branches/{branch_guid}", summary="Get branch")
async def get_branch(counterparty_guid: str, branch_guid: str, request: Request,
                     who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("branches", "GET")
    who.check_cp(store, counterparty_guid)
    return branch_json(store, _branch(store, counterparty_guid, branch_guid))


@router.put(CP + "/branches/{branch_guid}", summary="Update (rename / soft-delete) branch",
            responses=errors(409))
@needs("branches", "PUT")
async def update_branch(counterparty_guid: str, branch_guid: str, body: BranchUpdateBody,
                        request: Request, who: Who) -> Any:
    store = request.app.state.store
    who.require("branches", "PUT")
    who.check_cp(store, counterparty_guid)
    with store.tx():
        row = _branch(store, counterparty_guid, branch_guid)
        name = row["name"] if body.name is None else _name(body.name)
        if name != row["name"] and store.scalar(
            "SELECT 1 FROM branches WHERE counterparty_guid = ? AND name = ?",
            (counterparty_guid, name),
        ):
            return JSONResponse({"error": "branch with this name already exists"}, 409)
        deleted = row["is_deleted"] if body.is_deleted is None else int(body.is_deleted)
        store.conn.execute("UPDATE branches SET name = ?, is_deleted = ?, updated_at = ? "
                           "WHERE guid = ?", (name, deleted, store.now(), row["guid"]))
    return {}


# -- employees -------------------------------------------------------------------------------


def employee_json(store: Any, row: sqlite3.Row) -> dict[str, Any]:
    bname = ""
    if row["branch_guid"]:
        bname = store.scalar("SELECT name FROM branches WHERE guid = ?", (row["branch_guid"],))
    return {
        "guid": row["guid"],
        "counterparty_guid": row["counterparty_guid"],
        "email": row["email"],
        "login": row["login"],
        "name": row["name"],
        "surname": row["surname"],
        "paternal_name": row["paternal_name"],
        "phone": row["phone"],
        "branch_guid": row["branch_guid"] or "",
        "branch_name": bname or "",
        "roles": employee_roles(store, row["guid"]),
        "is_disabled": bool(row["is_disabled"]),
        "verified": bool(row["verified"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _resolve_branch(store: Any, cp: str, branch_guid: str | None,
                    branch_name: str | None) -> str | None:
    if branch_guid:
        row = store.one("SELECT guid, is_deleted FROM branches WHERE guid = ? AND "
                        "counterparty_guid = ?", (guid(branch_guid, "branch_guid"), cp))
    elif branch_name:
        row = store.one("SELECT guid, is_deleted FROM branches WHERE name = ? AND "
                        "counterparty_guid = ?", (branch_name, cp))
    else:
        return None
    if row is None or row["is_deleted"]:
        raise bad_request("branch not found")
    return str(row["guid"])


def _check_roles(store: Any, cp: str, roles: list[str]) -> None:
    for role in roles:
        if not store.scalar("SELECT 1 FROM roles WHERE counterparty_guid = ? AND name = ?",
                            (cp, role)):
            raise bad_request(f"role {role!r} not found")


@router.post(CP + "/employees", summary="Create employee")
@needs("employees", "POST")
async def create_employee_route(counterparty_guid: str, body: NewEmployeeBody, request: Request,
                                who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("employees", "POST")
    who.check_cp(store, counterparty_guid)
    email = _name(body.email, "email")
    if "@" not in email:
        raise bad_request("email is invalid")
    roles = body.roles or []
    with store.tx():
        branch = _resolve_branch(store, counterparty_guid, body.branch_guid, body.branch_name)
        who.require_branch(branch) if who.branch_guid else None
        _check_roles(store, counterparty_guid, roles)
        if store.scalar("SELECT 1 FROM employees WHERE lower(email) = lower(?)", (email,)):
            raise bad_request(DUPLICATE_EMPLOYEE)
        eg = create_employee(store, counterparty_guid, email, body.password or "", roles, branch,
                             body.name or "", body.surname or "")
        store.conn.execute("UPDATE employees SET paternal_name = ?, phone = ? WHERE guid = ?",
                           (body.paternal_name or "", body.phone or "", eg))
    return {"employee_guid": eg, "verified": True}


@router.put(CP + "/employees/{employee_guid}", summary="Update employee")
@needs("employees", "PUT")
async def update_employee(counterparty_guid: str, employee_guid: str, body: EmployeeUpdateBody,
                          request: Request, who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("employees", "PUT")
    who.check_cp(store, counterparty_guid)
    fields = body.model_fields_set
    with store.tx():
        row = store.one("SELECT * FROM employees WHERE guid = ? AND counterparty_guid = ?",
                        (guid(employee_guid, "employee_guid"), counterparty_guid))
        if row is None:
            raise ApiError(404, NOT_FOUND)
        who.require_branch(row["branch_guid"]) if who.branch_guid else None
        changes: dict[str, Any] = {}
        for f in ("login", "name", "paternal_name", "phone", "surname"):
            if f in fields and getattr(body, f) is not None:
                changes[f] = getattr(body, f)
        if "is_disabled" in fields and body.is_disabled is not None:
            changes["is_disabled"] = int(body.is_disabled)
        if ("branch_guid" in fields or "branch_name" in fields) and (
            body.branch_guid is not None or body.branch_name is not None
        ):
            changes["branch_guid"] = _resolve_branch(store, counterparty_guid,
                                                     body.branch_guid, body.branch_name)
        if "roles" in fields and body.roles is not None:
            _check_roles(store, counterparty_guid, body.roles)
            store.conn.execute("DELETE FROM employee_roles WHERE employee_guid = ?",
                               (row["guid"],))
            store.conn.executemany("INSERT INTO employee_roles VALUES (?, ?)",
                                   [(row["guid"], r) for r in body.roles])
        changes["updated_at"] = store.now()
        sets = ", ".join(f"{k} = ?" for k in changes)
        store.conn.execute(f"UPDATE employees SET {sets} WHERE guid = ?",
                           (*changes.values(), row["guid"]))
    return {"guid": row["guid"]}


@router.get(CP + "/employees", summary="List employees",
            openapi_extra=list_params("guids", "logins", "names", "branch_guids",
                                      scalars=("include_disabled", "offset", "limit", "order")))
async def list_employees(counterparty_guid: str, request: Request,
                         who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("employees", "GET")
    who.check_cp(store, counterparty_guid)
    where, params = ["counterparty_guid = ?"], [counterparty_guid]
    if who.branch_guid is not None:
        where.append("(branch_guid = ? OR guid = ?)")
        params += [who.branch_guid, who.employee["guid"] if who.employee else ""]
    in_clause("guid", multi(request, "guids"), where, params)
    logins = [v.lower() for v in multi(request, "logins") + multi(request, "emails")]
    if logins:
        marks = ",".join("?" * len(logins))
        where.append(f"(lower(login) IN ({marks}) OR lower(email) IN ({marks}))")
        params += logins + logins
    in_clause("name", multi(request, "names"), where, params)
    in_clause("branch_guid", multi(request, "branch_guids"), where, params)
    if not opt_bool(request, "include_disabled"):
        where.append("is_disabled = 0")
    offset, limit = paging(request)
    clause = " AND ".join(where)
    total = store.scalar(f"SELECT COUNT(*) FROM employees WHERE {clause}", params)
    d = order_dir(request)
    rows = store.all(f"SELECT * FROM employees WHERE {clause} ORDER BY created_at {d}, guid {d} "
                     "LIMIT ? OFFSET ?", [*params, limit, offset])
    return {"employees": [employee_json(store, r) for r in rows], "total": int(total)}


# -- roles and permissions -------------------------------------------------------------------


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
    name = _name(body.role_name, "role_name")
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
    name = _name(body.role_name, "role_name")
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
    name = _name(body.role_name, "role_name")
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
    name = _name(body.role_name, "role_name")
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


def set_password(store: Any, employee_guid: str, password: str) -> None:
    store.conn.execute("UPDATE employees SET password_hash = ? WHERE guid = ?",
                       (hash_password(password), employee_guid))
