"""Desk-facing API: hub sessions, ``/me``, issuing secrets, and admin onboarding."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import APIRouter, Depends, Request

from . import sessions, vault
from .authn import CurrentEmployee, bearer_token, hub_state, require_admin
from .errors import HubError, unauthorized
from .models import (
    EmployeeIn,
    EmployeeOut,
    HubEmployee,
    PasswordSessionIn,
    PlatformSessionIn,
    SecretImportIn,
    SecretIn,
    SecretOut,
    SessionIn,
    SessionOut,
)
from .state import HubState

router = APIRouter(prefix="/api/v1", tags=["desk api"])
log = logging.getLogger("teller_hub.api")


@router.post("/sessions", summary="Sign in (mode password: hub store; platform: DCM Kratos)")
async def create_session(body: SessionIn, request: Request) -> SessionOut:
    state = hub_state(request)
    if isinstance(body, PasswordSessionIn):
        emp = await state.store.authenticate(body.email, body.password)
        if emp is None:
            log.info("sign-in refused", extra={"mode": "password"})
            raise unauthorized("wrong e-mail or password, or the employee is disabled")
    else:
        emp = await _platform_employee(state, body)
    token, expires = await sessions.create(state.engine, emp, state.settings.session_ttl)
    log.info("sign-in", extra={"mode": body.mode, "source": emp.source})
    return SessionOut(token=token, expires_at=sessions.iso(expires), employee=emp.public())


async def _platform_employee(state: HubState, body: PlatformSessionIn) -> HubEmployee:
    """Mode A: DCM's Kratos vouches for the session; DCM's employee list gives roles/branch."""
    if not state.settings.dcm_url:
        raise HubError(400, "platform sign-in is not configured on this hub (no dcm_url)")
    url = f"{state.settings.dcm_url.rstrip('/')}/kratos/sessions/whoami"
    try:
        resp = await state.http.get(url, headers={"X-Session-Token": body.session_token},
                                    timeout=5.0)
    except httpx.HTTPError:
        raise HubError(503, "DCM is unreachable: cannot check the platform session") from None
    if resp.status_code in (401, 403):
        raise unauthorized("DCM says the platform session is not valid")
    if resp.status_code != 200:
        raise HubError(503, f"DCM whoami answered HTTP {resp.status_code}")
    try:
        data = resp.json()
        email = str(data["identity"]["traits"]["email"]).strip().lower()
        active = data.get("active") is True
    except (ValueError, KeyError, TypeError):
        raise HubError(503, "DCM whoami answered an unexpected shape") from None
    if not active or not email:
        raise unauthorized("DCM says the platform session is not active")
    if not state.dcm.enabled:
        raise HubError(400, "the hub has no DCM technical account: cannot read employee roles")
    emp = await state.dcm.lookup(email, wait_s=5.0)
    if emp is None or emp.disabled:
        raise unauthorized("employee is disabled or unknown to DCM")
    return emp


@router.delete("/sessions", summary="Sign out")
async def delete_session(request: Request) -> dict[str, bool]:
    deleted = await sessions.delete(hub_state(request).engine, bearer_token(request))
    if not deleted:
        raise unauthorized("hub session is unknown or has expired")
    return {"ok": True}


@router.get("/me", summary="The signed-in employee")
async def me(emp: CurrentEmployee) -> EmployeeOut:
    return emp.public()


@router.post("/secrets", summary="Issue a customer's secret (idempotent per external id)")
async def issue_secret(body: SecretIn, request: Request,
                       emp: CurrentEmployee) -> SecretOut:
    state = hub_state(request)
    kind, branch = vault.owner_branch(body, state.settings.dcm_counterparty)
    if kind == "customer" and branch is None and not emp.head_office:
        raise HubError(422, "branch_guid is required")
    if not emp.may_act_in(branch):
        raise HubError(403, "you may issue secrets only for your own branch")
    created = await vault.issue(state.engine, state.master, body, created_by=emp.email,
                                counterparty_guid=state.settings.dcm_counterparty)
    if not created:
        existing = await vault.owner(state.engine, body.external_id)
        if existing is not None and not emp.may_act_in(existing.branch_guid):
            raise HubError(403, "this external id belongs to another branch")
    log.info("secret issued" if created else "secret exists", extra={"kind": kind})
    return SecretOut(external_id=body.external_id, created=created)


@router.get("/secrets/{external_id:path}", summary="Does a secret exist for this external id")
async def secret_exists(external_id: str, request: Request,
                        emp: CurrentEmployee) -> dict[str, bool]:
    if not external_id or len(external_id) > 500:
        raise HubError(422, "external_id must be 1..500 characters")
    owner = await vault.owner(hub_state(request).engine, external_id)
    if owner is not None and not emp.may_act_in(owner.branch_guid):
        raise HubError(403, "this external id belongs to another branch")
    return {"exists": owner is not None}


@router.post("/admin/secrets/import", summary="Onboarding: issue secrets for existing customers",
             dependencies=[Depends(require_admin)])
async def import_secrets(body: SecretImportIn, request: Request) -> dict[str, Any]:
    state = hub_state(request)
    created = await vault.issue_many(state.engine, state.master, body.items, created_by="admin",
                                     counterparty_guid=state.settings.dcm_counterparty)
    log.info("secrets imported", extra={"n_created": created, "n_items": len(body.items)})
    return {"created": created, "existing": len(body.items) - created}


@router.post("/admin/employees", summary="Add a hub employee (Mode B; idempotent by e-mail)",
             dependencies=[Depends(require_admin)])
async def add_employee(body: EmployeeIn, request: Request) -> dict[str, Any]:
    if not body.head_office and not body.branch_guid:
        raise HubError(422, "give branch_guid or head_office: true")
    created = await hub_state(request).store.add(body.email, body.name, body.password,
                                                 list(body.roles), body.branch_guid,
                                                 body.head_office)
    return {"email": body.email, "created": created}
