"""``current_employee``: the FastAPI dependency every desk-facing route uses.

Reads ``Authorization: Bearer <hub token>``, finds the session in the database and re-checks
the employee on every request (a disabled employee loses access at once, not at expiry). A
state-changing call with a Mode A session also needs its DCM session alive
(``platform_liveness.require_live``: DCM's whoami, at most every 30 s per session).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from . import platform_liveness, sessions
from .errors import HubError, unauthorized
from .models import HubEmployee
from .state import HubState

READ_ONLY_ROLES = frozenset({"auditor"})

# Declared, not enforced (``bearer_token`` decides): the OpenAPI document names the scheme, and
# contract.py documents 401/403 for every operation that has it.
HUB_TOKEN = HTTPBearer(auto_error=False, scheme_name="HubToken",
                       description="Hub session token (POST /api/v1/sessions) or admin token")
Declared = Annotated[HTTPAuthorizationCredentials | None, Depends(HUB_TOKEN)]


def hub_state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise unauthorized("missing or malformed Authorization: Bearer <hub token>")
    return token


async def current_employee(request: Request, _token: Declared = None) -> HubEmployee:
    state = hub_state(request)
    token = bearer_token(request)
    found = await sessions.find_session(state.engine, token)
    if found is None:
        raise unauthorized("hub session is unknown or has expired: sign in again")
    snapshot = found.employee
    if snapshot.source == "hub":
        emp = await state.store.lookup(snapshot.email)
    else:
        emp = await state.dcm.lookup(snapshot.email)
        if emp is None and not state.dcm.loaded:
            emp = snapshot  # DCM unreachable since this process started: trust sign-in's view
    if emp is None or emp.disabled:
        raise unauthorized("employee is disabled or no longer exists")
    await platform_liveness.require_live(request, state, found, token)
    return emp


async def current_operator(request: Request, _token: Declared = None) -> HubEmployee:
    """``current_employee`` who may work the desk: not one whose only role is the platform's
    read-only ``Auditor`` (§3.3: GET only), nor one with no role at all. A bank's own role
    names (DCM roles are the bank's to define) are the platform's to limit, as for Teller."""
    emp = await current_employee(request)
    roles = {r.strip().lower() for r in emp.roles if r.strip()}
    if not roles or roles <= READ_ONLY_ROLES:
        raise HubError(403, "your role reads only: tills, cash, requests and secrets need a "
                       "Teller, Supervisor or Administrator", "read_only_role")
    return emp


def require_head_office_admin(emp: HubEmployee, what: str) -> None:
    """Bank-wide settings (the approval policy, the cash limits) hold for every branch: only
    a head-office Administrator changes them, never a branch's (403 ``head_office_only``)."""
    if "Administrator" not in emp.roles or not emp.head_office:
        raise HubError(403, f"only a head-office Administrator may change {what}",
                       "head_office_only")


async def require_admin(request: Request, _token: Declared = None) -> None:
    token = bearer_token(request)
    if not hmac.compare_digest(token.encode(), hub_state(request).admin_token.encode()):
        raise HubError(403, "admin token required")


# ``async def route(emp: CurrentEmployee)`` — the annotated form of ``Depends(current_employee)``.
CurrentEmployee = Annotated[HubEmployee, Depends(current_employee)]
# ``async def route(emp: Operator)`` — a write only a desk role may make.
Operator = Annotated[HubEmployee, Depends(current_operator)]
