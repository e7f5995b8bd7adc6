"""Who is calling: Kratos session tokens (Mode A) or bank-signed JWTs (Mode B); permissions and
branch scoping."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from jwt.algorithms import RSAAlgorithm

from .db import Store
from .errors import FORBIDDEN, FORBIDDEN_BRANCH, INVALID_CREDENTIALS, NOT_FOUND, ApiError

JWT_LEEWAY = 5


@dataclass
class Principal:
    mode: str  # "A" (session) or "B" (bank JWT)
    counterparty_guid: str
    employee: sqlite3.Row | None
    perms: set[tuple[str, str]] = field(default_factory=set)
    claims: dict[str, Any] = field(default_factory=dict)  # Mode B: the bank JWT's claims

    @property
    def branch_guid(self) -> str | None:
        if self.employee is None:
            return None
        return self.employee["branch_guid"] or None

    @property
    def subject(self) -> str:
        """Who acts, as the Auth Service callback's ``sub``: the employee's e-mail."""
        if self.employee is not None:
            return str(self.employee["email"])
        return str(self.claims.get("sub", ""))

    @property
    def who(self) -> str:
        return self.employee["email"] if self.employee is not None else "bank-jwt"

    def can(self, scope: str, verb: str) -> bool:
        return self.mode == "B" or (scope, verb) in self.perms

    def require(self, scope: str, verb: str) -> None:
        if not self.can(scope, verb):
            raise ApiError(403, FORBIDDEN)

    def check_cp(self, store: Store, cp: str) -> sqlite3.Row:
        row = store.one("SELECT * FROM counterparties WHERE guid = ?", (cp,))
        if row is None:
            raise ApiError(404, NOT_FOUND)
        if cp != self.counterparty_guid:
            raise ApiError(403, FORBIDDEN)
        return row

    def sees_branch(self, branch_guid: str | None) -> bool:
        mine = self.branch_guid
        return mine is None or branch_guid == mine

    def require_branch(self, branch_guid: str | None) -> None:
        if not self.sees_branch(branch_guid):
            raise ApiError(403, FORBIDDEN_BRANCH)


def employee_perms(store: Store, employee: sqlite3.Row) -> set[tuple[str, str]]:
    rows = store.all(
        "SELECT p.scope, p.keto_permission FROM employee_roles er "
        "JOIN role_permissions rp ON rp.role_name = er.role_name "
        "AND rp.counterparty_guid = ? "
        "JOIN permissions p ON p.guid = rp.permission_guid "
        "WHERE er.employee_guid = ? AND p.keto_kind = 'endpoint'",
        (employee["counterparty_guid"], employee["guid"]),
    )
    return {(r[0], r[1]) for r in rows}


def employee_roles(store: Store, employee_guid: str) -> list[str]:
    return [r[0] for r in store.all(
        "SELECT role_name FROM employee_roles WHERE employee_guid = ? ORDER BY role_name",
        (employee_guid,),
    )]


# -- sessions --------------------------------------------------------------------------------


def create_session(store: Store, employee: sqlite3.Row | None, cp: str, mode: str,
                   ttl: float) -> tuple[str, float]:
    token = "ory_st_" + secrets.token_urlsafe(24)
    expires = time.time() + ttl
    store.conn.execute(
        "INSERT INTO sessions (token, employee_guid, counterparty_guid, mode, expires_at, "
        "created_at) VALUES (?,?,?,?,?,?)",
        (token, employee["guid"] if employee is not None else None, cp, mode, expires,
         store.now()),
    )
    return token, expires


def _invalid() -> ApiError:
    return ApiError(401, INVALID_CREDENTIALS)


def _from_session(store: Store, token: str) -> Principal:
    row = store.one("SELECT * FROM sessions WHERE token = ?", (token,))
    if row is None or row["expires_at"] < time.time():
        raise _invalid()
    emp = None
    if row["employee_guid"]:
        emp = store.one("SELECT * FROM employees WHERE guid = ?", (row["employee_guid"],))
        if emp is None or emp["is_disabled"]:
            raise _invalid()
    if row["mode"] == "B":
        return Principal("B", row["counterparty_guid"], emp)
    assert emp is not None
    return Principal("A", row["counterparty_guid"], emp, employee_perms(store, emp))


def verify_bank_jwt(store: Store, token: str) -> tuple[str, dict[str, Any]]:
    """Return (counterparty_guid, claims) or raise 401."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _invalid() from None
    kid = header.get("kid")
    if not isinstance(kid, str) or header.get("alg") != "RS256":
        raise _invalid()
    rows = store.all("SELECT counterparty_guid, data FROM jwks WHERE kid = ?", (kid,))
    for row in rows:
        try:
            key = RSAAlgorithm.from_jwk(row["data"])
            claims = jwt.decode(
                token, key=key, algorithms=["RS256"], leeway=JWT_LEEWAY,  # type: ignore[arg-type]
                options={"require": ["exp", "iat", "sub"], "verify_aud": False},
            )
        except (jwt.PyJWTError, ValueError, TypeError, json.JSONDecodeError):
            continue
        return str(row["counterparty_guid"]), dict(claims)
    raise _invalid()


def _from_bank_jwt(store: Store, token: str) -> Principal:
    cp, claims = verify_bank_jwt(store, token)
    emp = store.one(
        "SELECT * FROM employees WHERE counterparty_guid = ? AND lower(email) = lower(?)",
        (cp, str(claims.get("sub", ""))),
    )
    if emp is not None and emp["is_disabled"]:
        raise ApiError(401, "Access credentials are invalid: employee account is disabled")
    return Principal("B", cp, emp, claims=claims)


def principal_from_request(store: Store, request: Request) -> Principal:
    authz = request.headers.get("authorization", "").strip()
    if authz:
        scheme, _, token = authz.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _invalid()
        return _from_session(store, token.strip())
    cx = request.headers.get("cx-authorization", "").strip()
    if cx:
        if cx.lower().startswith("bearer "):
            cx = cx[7:].strip()
        return _from_bank_jwt(store, cx)
    raise _invalid()


def current(request: Request) -> Principal:
    """FastAPI dependency."""
    return principal_from_request(request.app.state.store, request)


Who = Annotated[Principal, Depends(current)]
