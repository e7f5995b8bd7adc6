"""Who is calling: Kratos session tokens (Mode A) or bank-signed JWTs (Mode B); permissions and
branch scoping."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPBearer
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
    lenient: bool = False  # dialect jwt-lenient: DCM applies no rules to a bank JWT (§2.1)

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

    def require_operation(self, flow: str, *objs: str) -> None:
        """Mode B (§2.4): the bank JWT must name this operation: its ``flow`` and, as
        ``obj``, one of ``objs`` (the customer's login / external id, or the key keeper).
        Mode-B sessions from ``jwk/authenticate`` carry no claims and are not checked, nor
        is any token under the ``jwt-lenient`` dialect."""
        if self.mode != "B" or not self.claims or self.lenient:
            return
        obj = self.claims.get("obj")
        if self.claims.get("flow") != flow or not isinstance(obj, str) or \
                obj.casefold() not in {o.casefold() for o in objs if o}:
            raise ApiError(403, f"{FORBIDDEN}: the token's flow/obj do not match the operation "
                                f"(want flow={flow}, obj={objs[0] if objs else ''})")

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


MAX_LIFETIME = 300  # exp - iat above this is refused (the hub mints <= 60 s)
MAX_JTIS = 100_000


class JtiCache:
    """``jti`` values seen, each kept until its token's ``exp`` (plus leeway), bounded: a
    replayed token is refused; when full of live entries, new tokens are refused too
    (fail closed) rather than forgetting one that could then be replayed."""

    def __init__(self, limit: int = MAX_JTIS) -> None:
        self.limit = limit
        self._seen: dict[str, float] = {}

    def add(self, jti: str, exp: float) -> bool:
        """False when ``jti`` was already used (or no room is left)."""
        now = time.time()
        if jti in self._seen and self._seen[jti] >= now:
            return False
        if len(self._seen) >= self.limit:
            self._seen = {k: v for k, v in self._seen.items() if v >= now}
            if len(self._seen) >= self.limit:
                return False
        self._seen[jti] = exp + JWT_LEEWAY
        return True


@dataclass
class JwtPolicy:
    audience: str = "dcm"
    jtis: JtiCache = field(default_factory=JtiCache)


# §2.4 [D]: the claims the docs list. Under the ``jwt-lenient`` dialect only these are checked
# (present; ``exp`` not past, with the leeway); jti, aud, the lifetime cap, single use and the
# flow/obj match are this sandbox's stricter reading ([A]), which the docs do not require.
DOCUMENTED_CLAIMS = ("sub", "obj", "flow", "iat", "exp")
LENIENT = "jwt-lenient"


def lenient_jwt(request: Request) -> bool:
    return LENIENT in request.app.state.config.dialects


def verify_bank_jwt(store: Store, token: str, policy: JwtPolicy,
                    *, lenient: bool = False) -> tuple[str, dict[str, Any]]:
    """Return (counterparty_guid, claims) or raise 401. Required: ``sub``, ``iat``, ``exp``,
    ``jti`` (single use), ``aud`` (= the configured audience), ``exp - iat`` <= 300 s; with
    ``lenient``, the documented claims only (``DOCUMENTED_CLAIMS``)."""
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
            if lenient:
                claims = jwt.decode(
                    token, key=key, algorithms=["RS256"], leeway=JWT_LEEWAY,  # type: ignore[arg-type]
                    options={"require": list(DOCUMENTED_CLAIMS), "verify_aud": False},
                )
            else:
                claims = jwt.decode(
                    token, key=key, algorithms=["RS256"], leeway=JWT_LEEWAY,  # type: ignore[arg-type]
                    audience=policy.audience,
                    options={"require": ["exp", "iat", "sub", "jti", "aud"]},
                )
        except jwt.MissingRequiredClaimError as exc:
            raise ApiError(401, f"{INVALID_CREDENTIALS}: the token has no {exc.claim!r}"
                           ) from None
        except jwt.InvalidAudienceError:
            raise ApiError(401, f"{INVALID_CREDENTIALS}: wrong audience (aud)") from None
        except (jwt.PyJWTError, ValueError, TypeError, json.JSONDecodeError):
            continue
        if lenient:
            return str(row["counterparty_guid"]), dict(claims)
        return str(row["counterparty_guid"]), _checked(dict(claims), policy)
    raise _invalid()


def _checked(claims: dict[str, Any], policy: JwtPolicy) -> dict[str, Any]:
    jti, iat, exp = claims.get("jti"), claims.get("iat"), claims.get("exp")
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise ApiError(401, f"{INVALID_CREDENTIALS}: jti must be a non-empty string")
    if not isinstance(iat, int | float) or not isinstance(exp, int | float) or \
            exp - iat > MAX_LIFETIME:
        raise ApiError(401, f"{INVALID_CREDENTIALS}: token lifetime over {MAX_LIFETIME} s")
    if not policy.jtis.add(jti, float(exp)):
        raise ApiError(401, f"{INVALID_CREDENTIALS}: token already used (jti replay)")
    return claims


def _from_bank_jwt(store: Store, token: str, policy: JwtPolicy, lenient: bool) -> Principal:
    cp, claims = verify_bank_jwt(store, token, policy, lenient=lenient)
    emp = store.one(
        "SELECT * FROM employees WHERE counterparty_guid = ? AND lower(email) = lower(?)",
        (cp, str(claims.get("sub", ""))),
    )
    if emp is not None and emp["is_disabled"]:
        raise ApiError(401, "Access credentials are invalid: employee account is disabled")
    return Principal("B", cp, emp, claims=claims, lenient=lenient)


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
        return _from_bank_jwt(store, cx, request.app.state.jwt_policy, lenient_jwt(request))
    raise _invalid()


# Declared (not enforced: ``principal_from_request`` decides) so the OpenAPI document names
# the two ways in: a Kratos session token (Mode A) or a bank-signed JWT (Mode B).
_SESSION = HTTPBearer(auto_error=False, scheme_name="SessionToken",
                      description="Kratos session token (Mode A)")
_BANK_JWT = APIKeyHeader(name="CX-Authorization", auto_error=False, scheme_name="BankJwt",
                         description="Bank-signed RS256 JWT (Mode B)")


def current(request: Request, _session: Annotated[Any, Depends(_SESSION)] = None,
            _bank_jwt: Annotated[Any, Depends(_BANK_JWT)] = None) -> Principal:
    """FastAPI dependency."""
    return principal_from_request(request.app.state.store, request)


Who = Annotated[Principal, Depends(current)]

F = TypeVar("F", bound=Callable[..., Any])


def needs(scope: str, verb: str) -> Callable[[F], F]:
    """Mark a route that takes a body with the permission its handler requires, so a caller
    without it gets 403 even when the body is invalid: FastAPI validates bodies before the
    handler runs, and a 400 naming fields would tell a teller what an admin form holds."""
    def mark(fn: F) -> F:
        fn.__dict__["sandbox_needs"] = (scope, verb)
        return fn
    return mark


def refusal_before_body(request: Request) -> ApiError | None:
    """For a request whose body failed validation: the 401/403 the handler would have given
    (credentials, then the route's ``needs`` permission), else None."""
    endpoint = request.scope.get("endpoint")
    want = getattr(endpoint, "sandbox_needs", None)
    if want is None:
        return None
    try:
        who = principal_from_request(request.app.state.store, request)
        who.require(*want)
    except ApiError as exc:
        return exc
    return None
