"""Simulator-only admin endpoints under ``/__sim`` (header ``X-Sim-Admin: <token>``).
Never subject to fault injection."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request

from . import emission
from .errors import NOT_FOUND, ApiError, bad_request
from .models import (
    AmountBody,
    CounterpartySettingsBody,
    ExpireSessionsBody,
    FaultsBody,
    PasswordBody,
)
from .money import from_minor, to_minor
from .query import guid
from .routes_org import set_password


def _admin(request: Request) -> None:
    token = request.headers.get("x-sim-admin", "")
    expected = request.app.state.world["sim_admin_token"]
    if not secrets.compare_digest(token.encode(), str(expected).encode()):
        raise ApiError(401, "simulator admin token required (X-Sim-Admin)")


router = APIRouter(prefix="/__sim", tags=["simulator"], dependencies=[Depends(_admin)])


def _faults(request: Request) -> dict[str, Any]:
    cfg = request.app.state.config
    return {"latency_ms": cfg.latency_ms, "error_rate": cfg.error_rate}


@router.get("/faults", summary="Current fault settings")
async def get_faults(request: Request) -> dict[str, Any]:
    return _faults(request)


@router.post("/faults", summary="Set latency / error rate at runtime")
async def set_faults(body: FaultsBody, request: Request) -> dict[str, Any]:
    cfg = request.app.state.config
    if body.latency_ms is not None:
        if not 0 <= body.latency_ms <= 60_000:
            raise bad_request("latency_ms must be between 0 and 60000")
        cfg.latency_ms = body.latency_ms
    if body.error_rate is not None:
        if not 0.0 <= body.error_rate <= 1.0:
            raise bad_request("error_rate must be between 0 and 1")
        cfg.error_rate = float(body.error_rate)
    return _faults(request)


@router.post("/sessions/expire", summary="Expire every session, or the one named (re-login)")
async def expire_sessions(request: Request,
                          body: ExpireSessionsBody | None = None) -> dict[str, Any]:
    """``{"token": ...}`` ends just that session: a test on a shared sandbox must not sign
    out everyone else's sessions."""
    store = request.app.state.store
    token = body.token if body is not None else None
    with store.tx():
        if token is None:
            n = store.conn.execute("DELETE FROM sessions").rowcount
        else:
            n = store.conn.execute("DELETE FROM sessions WHERE token = ?", (token,)).rowcount
    return {"expired": n}


@router.post("/emission/{request_guid}/confirm", summary="DCM officer confirms a request")
async def confirm_emission(request_guid: str, request: Request) -> dict[str, Any]:
    store = request.app.state.store
    with store.tx():
        emission.confirm_request(store, guid(request_guid, "request_guid"), "dcm-officer")
    return {}


@router.post("/emission/{request_guid}/cancel", summary="DCM officer cancels a request")
async def cancel_emission(request_guid: str, request: Request) -> dict[str, Any]:
    store = request.app.state.store
    with store.tx():
        emission.cancel_request(store, guid(request_guid, "request_guid"), "dcm-officer")
    return {}


def _cp(request: Request, cp: str | None) -> str:
    cp = cp or request.app.state.world["counterparty_guid"]
    if not request.app.state.store.scalar("SELECT 1 FROM counterparties WHERE guid = ?", (cp,)):
        raise ApiError(404, NOT_FOUND)
    return str(cp)


@router.post("/teller-confirm-limit", summary="Set the teller confirm limit")
async def set_teller_limit(body: AmountBody, request: Request) -> dict[str, Any]:
    store = request.app.state.store
    cp = _cp(request, body.counterparty_guid)
    if body.amount is None:
        raise bad_request("amount is required")
    amount = to_minor(body.amount, allow_zero=True)
    with store.tx():
        store.conn.execute("UPDATE counterparties SET teller_confirm_limit = ? WHERE guid = ?",
                           (amount, cp))
    return {"counterparty_guid": cp, "teller_confirm_limit": from_minor(amount)}


@router.get("/counterparty/{counterparty_guid}", summary="Counterparty settings")
async def get_settings(counterparty_guid: str, request: Request) -> dict[str, Any]:
    row = request.app.state.store.one("SELECT * FROM counterparties WHERE guid = ?",
                                      (_cp(request, counterparty_guid),))
    return {"guid": row["guid"], "name": row["name"], "auto_issue": bool(row["auto_issue"]),
            "auto_burn": bool(row["auto_burn"]),
            "teller_confirm_limit": from_minor(row["teller_confirm_limit"]),
            "emission_account_guid": row["emission_account_guid"],
            "processing_account_guid": row["processing_account_guid"]}


@router.post("/counterparty/{counterparty_guid}", summary="Change counterparty settings")
async def set_settings(counterparty_guid: str, body: CounterpartySettingsBody,
                       request: Request) -> dict[str, Any]:
    store = request.app.state.store
    cp = _cp(request, counterparty_guid)
    with store.tx():
        if body.auto_issue is not None:
            store.conn.execute("UPDATE counterparties SET auto_issue = ? WHERE guid = ?",
                               (int(body.auto_issue), cp))
        if body.auto_burn is not None:
            store.conn.execute("UPDATE counterparties SET auto_burn = ? WHERE guid = ?",
                               (int(body.auto_burn), cp))
        if body.teller_confirm_limit is not None:
            store.conn.execute(
                "UPDATE counterparties SET teller_confirm_limit = ? WHERE guid = ?",
                (to_minor(body.teller_confirm_limit, "teller_confirm_limit", allow_zero=True),
                 cp))
    return await get_settings(cp, request)


@router.post("/employees/{employee_guid}/password", summary="Set an employee's password")
async def employee_password(employee_guid: str, body: PasswordBody,
                            request: Request) -> dict[str, Any]:
    store = request.app.state.store
    if not body.password:
        raise bad_request("password is required")
    eg = guid(employee_guid, "employee_guid")
    with store.tx():
        if not store.scalar("SELECT 1 FROM employees WHERE guid = ?", (eg,)):
            raise ApiError(404, NOT_FOUND)
        set_password(store, eg, body.password)
    return {}


@router.get("/conservation", summary="Money conservation check")
async def conservation(request: Request) -> dict[str, Any]:
    store = request.app.state.store
    issued = store.scalar("SELECT COALESCE(SUM(requested_amount), 0) FROM emission_requests "
                          "WHERE direction = 'issue' AND status = 'confirmed'")
    burned = store.scalar("SELECT COALESCE(SUM(requested_amount), 0) FROM emission_requests "
                          "WHERE direction = 'burn' AND status = 'confirmed'")
    total = store.scalar("SELECT COALESCE(SUM(balance), 0) FROM accounts "
                         "WHERE account_kind != 'root'")
    negative = store.scalar("SELECT COUNT(*) FROM accounts WHERE balance < 0 AND "
                            "account_kind != 'root'")
    return {"issued": from_minor(int(issued)), "burned": from_minor(int(burned)),
            "sum_balances": from_minor(int(total)), "negative_accounts": int(negative),
            "conserved": int(total) == int(issued) - int(burned) and not negative}


@router.get("/world", summary="The demo world (as in the manifest, plus the other bank)")
async def world(request: Request) -> dict[str, Any]:
    return dict(request.app.state.world)
