"""Bank Auth Service, exactly PLATFORM_API §2.5: DCM calls these with ``X-Session-ID``.

Every answer is 200 with the documented body or 401 ``{"error": ...}``; the decision is: a
valid DCM signature, ``sub`` an enabled employee, a secret for ``obj``, and ``sub`` allowed to
act on ``obj`` (the secret's branch, unless head office).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader

from . import vault
from .authn import hub_state
from .crypto import DecryptError
from .errors import unauthorized
from .jwks import DcmClaims, TokenError
from .models import AuthUser
from .state import HubState

# Declared for the OpenAPI document (``_checked`` verifies the header).
DCM_SESSION = APIKeyHeader(name="X-Session-ID", auto_error=False, scheme_name="DcmSession",
                           description="DCM-signed RS256 JWT naming sub, obj and flow")
router = APIRouter(tags=["bank auth service"], dependencies=[Depends(DCM_SESSION)])
log = logging.getLogger("teller_hub.auth_service")


async def _checked(request: Request) -> tuple[HubState, DcmClaims, vault.SecretOwner]:
    state = hub_state(request)
    if state.jwks is None:
        raise unauthorized("the hub has no DCM url configured: cannot verify X-Session-ID")
    try:
        claims = await state.jwks.verify(request.headers.get("x-session-id", ""))
    except TokenError as exc:
        raise unauthorized(str(exc)) from None
    emp = await state.directory.lookup(claims.sub)
    if emp is None or emp.disabled:
        raise unauthorized("subject is not an enabled employee of this bank")
    owner = await vault.owner(state.engine, claims.obj)
    if owner is None:
        raise unauthorized("no secret is registered for this object")
    if not emp.may_act_in(owner.branch_guid):
        raise unauthorized("subject may not act on this object (another branch)")
    return state, claims, owner


async def _opened(state: HubState, claims: DcmClaims) -> vault.Opened:
    try:
        found = await vault.read(state.engine, state.master, claims.obj)
    except DecryptError:
        log.error("secret does not open with this master key", extra={"obj_len": len(claims.obj)})
        raise unauthorized("the secret cannot be opened by this hub") from None
    if found is None:
        raise unauthorized("no secret is registered for this object")
    return found[1]


@router.get("/user_auth", summary="User data and secret for obj (a customer's login)")
async def user_auth(request: Request) -> dict[str, Any]:
    state, claims, _ = await _checked(request)
    o = await _opened(state, claims)
    return AuthUser(external_id=o.external_id, first_name=o.first_name, last_name=o.last_name,
                    email=o.email, phone=o.phone, key=o.key).model_dump()


@router.get("/key", summary="The secret of obj (an external id)")
async def key(request: Request) -> dict[str, str]:
    state, claims, _ = await _checked(request)
    return {"key": (await _opened(state, claims)).key}


@router.get("/external_id", summary="Identity check of obj (an external id)")
async def external_id(request: Request) -> dict[str, str]:
    _, _, owner = await _checked(request)
    return {"external_id": owner.external_id}
