"""Kratos-style password login (Mode A), JWK registration and bank-JWT check (Mode B)."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from jwt.algorithms import RSAAlgorithm

from . import auth
from .auth import Who
from .db import fmt_ts, new_guid
from .errors import INVALID_CREDENTIALS, NOT_FOUND, ApiError, bad_request
from .models import JwkBody
from .query import guid
from .world import check_password, public_jwk

router = APIRouter()

FLOW_TTL = 3600.0
BAD_CREDENTIALS = (
    "The provided credentials are invalid, check for spelling mistakes in your password or "
    "username, email address, or phone number."
)


def _kratos_error(message: str, flow_id: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if flow_id:
        body["id"] = flow_id
        body["ui"] = {"messages": [{"id": 4000006, "text": message, "type": "error"}],
                      "nodes": []}
    return JSONResponse(body, status_code=401)


@router.get("/kratos/self-service/login/api", tags=["auth"], summary="Create a login flow")
async def login_flow(request: Request) -> dict[str, Any]:
    flows: dict[str, tuple[str, float]] = request.app.state.flows
    now = time.time()
    for fid in [k for k, (_, exp) in flows.items() if exp < now]:
        del flows[fid]
    flow_id = new_guid()
    csrf = secrets.token_urlsafe(24)
    flows[flow_id] = (csrf, now + FLOW_TTL)
    base = str(request.base_url).rstrip("/")
    expires = fmt_ts(datetime.fromtimestamp(now + FLOW_TTL, UTC))
    return {
        "id": flow_id,
        "type": "api",
        "expires_at": expires,
        "issued_at": fmt_ts(datetime.fromtimestamp(now, UTC)),
        "request_url": f"{base}/kratos/self-service/login/api",
        "ui": {
            "action": f"{base}/kratos/self-service/login?flow={flow_id}",
            "method": "POST",
            "nodes": [
                {"type": "input", "group": "default",
                 "attributes": {"name": "csrf_token", "type": "hidden", "value": csrf,
                                "required": True}},
                {"type": "input", "group": "default",
                 "attributes": {"name": "identifier", "type": "text", "value": "",
                                "required": True}},
                {"type": "input", "group": "password",
                 "attributes": {"name": "password", "type": "password", "required": True}},
                {"type": "input", "group": "password",
                 "attributes": {"name": "method", "type": "submit", "value": "password"}},
            ],
        },
    }


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


@router.post("/kratos/self-service/login", tags=["auth"], summary="Submit a login flow")
async def login(request: Request) -> Any:
    store = request.app.state.store
    flow_id = request.query_params.get("flow", "")
    flows: dict[str, tuple[str, float]] = request.app.state.flows
    flow = flows.get(flow_id)
    if flow is None or flow[1] < time.time():
        return _kratos_error("login flow not found or expired")
    form = await _form(request)
    method = form.get("method", "password")
    if method != "password":
        return _kratos_error(f"unsupported login method {method!r}", flow_id)
    identifier = form.get("identifier", "").strip()
    password = form.get("password", "")
    emp = store.one("SELECT * FROM employees WHERE lower(email) = lower(?)", (identifier,))
    if emp is None or not check_password(password, emp["password_hash"]):
        return _kratos_error(BAD_CREDENTIALS, flow_id)
    if emp["is_disabled"]:
        return _kratos_error("the account is disabled (employee is_disabled)", flow_id)
    del flows[flow_id]
    with store.tx():
        token, expires = auth.create_session(store, emp, emp["counterparty_guid"], "A",
                                             request.app.state.config.session_ttl)
    now = fmt_ts(datetime.now(UTC))
    return {
        "session_token": token,
        "session": {
            "id": new_guid(),
            "active": True,
            "expires_at": fmt_ts(datetime.fromtimestamp(expires, UTC)),
            "authenticated_at": now,
            "issued_at": now,
            "identity": {
                "id": emp["guid"],
                "schema_id": "employee",
                "state": "active",
                "traits": {"email": emp["email"]},
            },
        },
    }


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
             summary="Check a bank JWT (CX-Authorization)")
async def jwk_authenticate(counterparty_guid: str, request: Request) -> dict[str, Any]:
    store = request.app.state.store
    token = request.headers.get("cx-authorization", "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise ApiError(401, INVALID_CREDENTIALS)
    cp, claims = auth.verify_bank_jwt(store, token)
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
