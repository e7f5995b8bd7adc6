"""Branches (§3.12) and employees (§3.2). Roles and permissions (§3.3) are
``routes_roles.py``."""

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
)
from .passwords import hash_password
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


def checked_name(value: str | None, field: str = "name") -> str:
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
    name = checked_name(body.name)
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
        name = row["name"] if body.name is None else checked_name(body.name)
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
    email = checked_name(body.email, "email")
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


def set_password(store: Any, employee_guid: str, password: str) -> None:
    store.conn.execute("UPDATE employees SET password_hash = ? WHERE guid = ?",
                       (hash_password(password), employee_guid))
