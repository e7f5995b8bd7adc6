"""Kratos-style password login (Mode A), JWK registration and bank-JWT check (Mode B)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from jwt.algorithms import RSAAlgorithm

from . import auth, kratos
from .answers import KratosLogin, KratosSession
from .auth import Who, needs
from .contract import KratosError, errors
from .db import new_guid
from .errors import INVALID_CREDENTIALS, NOT_FOUND, ApiError, bad_request
from .models import JwkBody
from .passwords import check_password, hash_password, needs_upgrade
from .query import guid
from .world import public_jwk

router = APIRouter()

FLOW_TTL = 600.0
MAX_FLOWS = 10_000
BAD_CREDENTIALS = (
    "The provided credentials are invalid, check for spelling mistakes in your password or "
    "username, email address, or phone number."
)


def _kratos_error(message: str, flow_id: str | None = None,
                  request: Request | None = None) -> JSONResponse:
    """A failed login: ``{"error": text}`` (what the project's client reads) plus, for a known
    flow, the flow itself with the message in ``ui.messages`` (what Kratos sends)."""
    body: dict[str, Any] = {"error": message}
    if flow_id and request is not None:
        issued, expires = time.time(), time.time() + FLOW_TTL
        body.update(kratos.login_flow(_base(request), flow_id, "", issued, expires,
                                      [{"id": 4000006, "text": message, "type": "error"}]))
        body["error"] = message
    return JSONResponse(body, status_code=401)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/kratos/self-service/login/api", tags=["auth"], summary="Create a login flow")
async def login_flow(request: Request) -> dict[str, Any]:
    flows: dict[str, tuple[str, float]] = request.app.state.flows
    now = time.time()
    for fid in [k for k, (_, exp) in flows.items() if exp < now]:
        del flows[fid]
    # Unauthenticated callers create flows: past the cap the oldest go (dicts keep order).
    while len(flows) >= MAX_FLOWS:
        del flows[next(iter(flows))]
    flow_id = new_guid()
    csrf = secrets.token_urlsafe(24)
    flows[flow_id] = (csrf, now + FLOW_TTL)
    return kratos.login_flow(_base(request), flow_id, csrf, now, now + FLOW_TTL)


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    ctype = request.headers.get("content-type", "")
    try:
        if "json" in ctype:
            data = json.loads(raw or b"{}")
            if not isinstance(data, dict):
                raise ValueError
            return {str(k): str(v) for k, v in data.items() if v is not None}
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("malformed login form") from None
    return {k: v[-1] for k, v in parsed.items()}


@router.post("/kratos/self-service/login", tags=["auth"], summary="Submit a login flow",
             responses={200: {"model": KratosLogin}, **errors(400, 401)}, openapi_extra={
                 "parameters": [{"name": "flow", "in": "query", "required": True,
                                 "schema": {"type": "string", "format": "uuid"}}],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"type": "object", "required": ["identifier", "password"],
                                "properties": {
                                    "method": {"type": "string", "enum": ["password"]},
                                    "identifier": {"type": "string", "format": "email"},
                                    "password": {"type": "string"}}}}}}})
async def login(request: Request) -> Any:
    store = request.app.state.store
    flow_id = request.query_params.get("flow", "")
    flows: dict[str, tuple[str, float]] = request.app.state.flows
    # Every attempt consumes the flow, right or wrong: one password guess per flow.
    flow = flows.pop(flow_id, None)
    if flow is None or flow[1] < time.time():
        return _kratos_error("login flow not found or expired")
    form = await _form(request)
    method = form.get("method", "password")
    if method != "password":
        return _kratos_error(f"unsupported login method {method!r}", flow_id, request)
    identifier = form.get("identifier", "").strip()
    password = form.get("password", "")
    emp = store.one("SELECT * FROM employees WHERE lower(email) = lower(?)", (identifier,))
    stored = emp["password_hash"] if emp is not None else None
    # The hash (also a dummy one for an unknown e-mail: same time) runs off the event loop.
    if not await run_in_threadpool(check_password, password, stored) or emp is None:
        return _kratos_error(BAD_CREDENTIALS, flow_id, request)
    if emp["is_disabled"]:
        return _kratos_error("the account is disabled (employee is_disabled)", flow_id,
                             request)
    upgraded = await run_in_threadpool(hash_password, password) \
        if needs_upgrade(str(stored)) else None  # an older data dir's PBKDF2 hash
    with store.tx():
        if upgraded is not None:
            store.conn.execute("UPDATE employees SET password_hash = ? WHERE guid = ?",
                               (upgraded, emp["guid"]))
        token, expires = auth.create_session(store, emp, emp["counterparty_guid"], "A",
                                             request.app.state.config.session_ttl)
    return {"session_token": token,
            "session": kratos.session(_base(request), token, emp, store.now(), expires)}


@router.get("/kratos/sessions/whoami", tags=["auth"], summary="Who the session belongs to",
            responses={200: {"model": KratosSession}, **errors(401, model=KratosError)})
async def whoami(request: Request) -> Any:
    """``X-Session-Token`` (or ``Authorization: Bearer``) -> the Kratos session, else 401."""
    store = request.app.state.store
    token = request.headers.get("x-session-token", "").strip()
    if not token:
        scheme, _, rest = request.headers.get("authorization", "").strip().partition(" ")
        token = rest.strip() if scheme.lower() == "bearer" else ""
    row = store.one("SELECT * FROM sessions WHERE token = ?", (token,)) if token else None
    emp = None
    if row is not None and row["mode"] == "A" and row["expires_at"] >= time.time():
        emp = store.one("SELECT * FROM employees WHERE guid = ?", (row["employee_guid"],))
    if row is None or emp is None or emp["is_disabled"]:
        return kratos.generic_error(401, "session_inactive",
                                    "No active session was found in this request.",
                                    "request does not have a valid authentication session")
    return kratos.session(_base(request), token, emp, row["created_at"], row["expires_at"])


@router.delete("/kratos/self-service/logout/api", tags=["auth"], status_code=204,
               responses=errors(400, 403, model=KratosError), openapi_extra={
                   "requestBody": {"required": True, "content": {"application/json": {
                       "schema": {"type": "object", "required": ["session_token"],
                                  "properties": {"session_token": {"type": "string"}}}}}}},
               summary="Revoke a session token (native logout)")
async def logout(request: Request) -> Response:
    store = request.app.state.store
    try:
        data = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        data = None
    token = data.get("session_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        return kratos.generic_error(400, "bad_request", "session_token is required",
                                    "The request was malformed or contained invalid parameters")
    with store.tx():
        gone = store.conn.execute("DELETE FROM sessions WHERE token = ? AND mode = 'A'",
                                  (token,)).rowcount
    if not gone:
        return kratos.generic_error(403, "security_identity_mismatch",
                                    "The session token is invalid or was revoked.",
                                    "The requested action was forbidden")
    return Response(status_code=204)


# -- JWK -----------------------------------------------------------------------------------


def _check_jwk(data: dict[str, Any] | None) -> tuple[str, str]:
    if not isinstance(data, dict):
        raise bad_request("data: a JWK object is required")
    kid = data.get("kid")
    if not isinstance(kid, str) or not kid:
        raise bad_request("data.kid is required")
    if data.get("kty") != "RSA":
        raise bad_request("data.kty must be RSA")
    if data.get("alg", "RS256") != "RS256":
        raise bad_request("data.alg must be RS256")
    try:
        RSAAlgorithm.from_jwk(json.dumps(data))
    except Exception:
        raise bad_request("data is not a valid RSA public JWK") from None
    return kid, json.dumps(data)


@router.post("/api/v1/counterparty/{counterparty_guid}/jwk", tags=["auth"],
             summary="Register a bank JWK")
@needs("jwk", "POST")
async def add_jwk(counterparty_guid: str, body: JwkBody, request: Request,
                  who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("jwk", "POST")
    who.check_cp(store, counterparty_guid)
    kid, data = _check_jwk(body.data)
    with store.tx():
        if store.scalar("SELECT 1 FROM jwks WHERE kid = ? AND counterparty_guid = ?",
                        (kid, counterparty_guid)):
            raise bad_request(f"jwk with kid {kid!r} already exists")
        jguid = new_guid()
        now = store.now()
        store.conn.execute(
            "INSERT INTO jwks (guid, counterparty_guid, kid, data, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?)",
            (jguid, counterparty_guid, kid, data, now, now),
        )
    return {"guid": jguid}


@router.get("/api/v1/counterparty/{counterparty_guid}/jwk", tags=["auth"],
            summary="List the bank's JWKs")
async def list_jwk(counterparty_guid: str, request: Request,
                   who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("jwk", "GET")
    who.check_cp(store, counterparty_guid)
    rows = store.all("SELECT * FROM jwks WHERE counterparty_guid = ? ORDER BY created_at",
                     (counterparty_guid,))
    return {"keys": [{"created_at": r["created_at"], "updated_at": r["updated_at"],
                      "guid": r["guid"], "kid": r["kid"], "data": json.loads(r["data"])}
                     for r in rows]}


@router.put("/api/v1/counterparty/{counterparty_guid}/jwk/{jwk_guid}", tags=["auth"],
            summary="Replace a bank JWK")
@needs("jwk", "PUT")
async def put_jwk(counterparty_guid: str, jwk_guid: str, body: JwkBody, request: Request,
                  who: Who) -> dict[str, Any]:
    store = request.app.state.store
    who.require("jwk", "PUT")
    who.check_cp(store, counterparty_guid)
    jg = guid(jwk_guid, "jwk_guid")
    kid, data = _check_jwk(body.data)
    with store.tx():
        row = store.one("SELECT 1 FROM jwks WHERE guid = ? AND counterparty_guid = ?",
                        (jg, counterparty_guid))
        if row is None:
            raise ApiError(404, NOT_FOUND)
        store.conn.execute("UPDATE jwks SET kid = ?, data = ?, updated_at = ? WHERE guid = ?",
                           (kid, data, store.now(), jg))
    return {}


@router.post("/api/v1/counterparty/{counterparty_guid}/jwk/authenticate", tags=["auth"],
             responses=errors(401),
             summary="Check a bank JWT (CX-Authorization)")
async def jwk_authenticate(counterparty_guid: str, request: Request) -> dict[str, Any]:
    store = request.app.state.store
    token = request.headers.get("cx-authorization", "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise ApiError(401, INVALID_CREDENTIALS)
    cp, claims = auth.verify_bank_jwt(store, token, request.app.state.jwt_policy,
                                      lenient=auth.lenient_jwt(request))
    if cp != counterparty_guid:
        raise ApiError(401, INVALID_CREDENTIALS)
    emp = store.one("SELECT * FROM employees WHERE counterparty_guid = ? AND lower(email) = "
                    "lower(?)", (cp, str(claims.get("sub", ""))))
    if emp is not None and emp["is_disabled"]:
        raise ApiError(401, "Access credentials are invalid: employee account is disabled")
    with store.tx():
        token_out, _ = auth.create_session(store, emp, cp, "B",
                                           request.app.state.config.session_ttl)
    return {"session_token": token_out}


@router.get("/api/v1/.well-known/jwks.json", tags=["auth"], summary="DCM public keys")
async def dcm_jwks(request: Request) -> dict[str, Any]:
    store = request.app.state.store
    pem = store.meta("dcm_private_pem")
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return {"keys": [public_jwk(key, str(store.meta("dcm_kid")))]}
