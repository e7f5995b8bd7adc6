"""Ory Kratos wire shapes (native login flow, session, identity, generic error) as Kratos
itself sends them, so the official ``ory-kratos-client`` parses every answer."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse

from .db import fmt_ts

SCHEMA_ID = "employee"


def _ts(epoch: float) -> str:
    return fmt_ts(datetime.fromtimestamp(epoch, UTC))


def _label(text: str, label_id: int) -> dict[str, Any]:
    return {"id": label_id, "text": text, "type": "info"}


def _input(group: str, name: str, kind: str, value: Any = None, *, required: bool = False,
           label: dict[str, Any] | None = None, autocomplete: str | None = None
           ) -> dict[str, Any]:
    attrs: dict[str, Any] = {"name": name, "type": kind, "disabled": False,
                             "node_type": "input"}
    if value is not None:
        attrs["value"] = value
    if required:
        attrs["required"] = True
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    meta: dict[str, Any] = {"label": label} if label else {}
    return {"type": "input", "group": group, "attributes": attrs, "messages": [], "meta": meta}


def login_flow(base: str, flow_id: str, csrf: str, issued: float, expires: float,
               messages: list[dict[str, Any]] | None = None, identifier: str = ""
               ) -> dict[str, Any]:
    """A native (``type: api``) login flow with the password method's nodes."""
    return {
        "id": flow_id,
        "type": "api",
        "expires_at": _ts(expires),
        "issued_at": _ts(issued),
        "created_at": _ts(issued),
        "updated_at": _ts(issued),
        "request_url": f"{base}/kratos/self-service/login/api",
        "refresh": False,
        "requested_aal": "aal1",
        "state": "choose_method",
        "ui": {
            "action": f"{base}/kratos/self-service/login?flow={flow_id}",
            "method": "POST",
            "messages": messages or [],
            "nodes": [
                _input("default", "csrf_token", "hidden", csrf, required=True),
                _input("default", "identifier", "text", identifier, required=True,
                       label=_label("E-Mail", 1070004), autocomplete="email"),
                _input("password", "password", "password", required=True,
                       label=_label("Password", 1070001), autocomplete="current-password"),
                _input("password", "method", "submit", "password",
                       label=_label("Sign in", 1010001)),
            ],
        },
    }


def identity(base: str, emp: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": emp["guid"],
        "schema_id": SCHEMA_ID,
        "schema_url": f"{base}/kratos/schemas/{SCHEMA_ID}",
        "state": "inactive" if emp["is_disabled"] else "active",
        "traits": {"email": emp["email"]},
        "metadata_public": None,
        "created_at": emp["created_at"],
        "updated_at": emp["updated_at"],
    }


def session_id(token: str) -> str:
    """A stable session id that reveals nothing of the token (a one-way UUIDv5)."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, "kratos-session:" + token))


def session(base: str, token: str, emp: sqlite3.Row, authenticated_at: str,
            expires: float) -> dict[str, Any]:
    return {
        "id": session_id(token),
        "active": True,
        "expires_at": _ts(expires),
        "authenticated_at": authenticated_at,
        "issued_at": authenticated_at,
        "authenticator_assurance_level": "aal1",
        "authentication_methods": [
            {"method": "password", "aal": "aal1", "completed_at": authenticated_at}],
        "devices": [],
        "identity": identity(base, emp),
    }


_STATUS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           410: "Gone"}


def generic_error(status: int, error_id: str, reason: str, message: str) -> JSONResponse:
    """Kratos's ``errorGeneric``: ``{"error": {"id", "code", "status", "reason", "message"}}``."""
    return JSONResponse({"error": {"id": error_id, "code": status,
                                   "status": _STATUS.get(status, "Error"), "reason": reason,
                                   "message": message}}, status_code=status)
