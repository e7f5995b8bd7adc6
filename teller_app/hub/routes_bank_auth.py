"""Bank Auth Service, exactly PLATFORM_API §2.5: DCM calls these with ``X-Session-ID``.

Every answer is 200 with the documented body or 401 with one body for every refusal
(``REFUSED``: the caller learns nothing about which check failed; the reason goes to the hub's
log at info, without the token, ``sub`` or ``obj``). The decision is: a valid, fresh and
unused DCM token (``jwks.JwksCache.verify``), ``sub`` an enabled employee, a secret for
``obj``, and ``sub`` allowed to act on ``obj`` (the secret's branch, unless head office).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader

from . import vault
from .authn import hub_state
from .crypto import DecryptError, Sealed
from .errors import HubError, unauthorized
from .jwks import TokenError
from .models import AuthUser
from .state import HubState

# Declared for the OpenAPI document (``_checked`` verifies the header).
DCM_SESSION = APIKeyHeader(name="X-Session-ID", auto_error=False, scheme_name="DcmSession",
                           description="DCM-signed RS256 JWT naming sub, obj and flow")
router = APIRouter(tags=["bank auth service"], dependencies=[Depends(DCM_SESSION)])
log = logging.getLogger("teller_hub.auth_service")
REFUSED = "not authorized"


def _refused(request: Request, reason: str) -> HubError:
    """The one 401 the caller sees; ``reason`` (fixed texts, no token or claim values) is
    logged for the bank's operators."""
    log.info("auth service refused", extra={"endpoint": request.url.path[:40],
                                            "reason": reason})
    return unauthorized(REFUSED)


async def _checked(request: Request) -> tuple[HubState, vault.SecretOwner, Sealed]:
    state = hub_state(request)
    if state.jwks is None:
        raise _refused(request, "the hub has no DCM url configured: cannot verify X-Session-ID")
    try:
        claims = await state.jwks.verify(request.headers.get("x-session-id", ""))
    except TokenError as exc:
        raise _refused(request, str(exc)) from None
    emp = await state.directory.lookup(claims.sub)
    if emp is None or emp.disabled:
        raise _refused(request, "subject is not an enabled employee of this bank")
    found = await vault.sealed(state.engine, claims.obj, state.sealed_cache)
    if found is None:
        raise _refused(request, "no secret is registered for this object")
    owner, record = found
    if not emp.may_act_in(owner.branch_guid):
        raise _refused(request, "subject may not act on this object (another branch)")
    return state, owner, record


def _opened(request: Request, state: HubState, owner: vault.SecretOwner,
            record: Sealed) -> vault.Opened:
    try:
        return vault.open_sealed(state.master, owner.external_id, record)
    except DecryptError:
        log.error("secret does not open with this master key",
                  extra={"obj_len": len(owner.external_id)})
        raise _refused(request, "the secret cannot be opened by this hub") from None


@router.get("/user_auth", summary="User data and secret for obj (a customer's login)")
async def user_auth(request: Request) -> dict[str, Any]:
    o = _opened(request, *await _checked(request))
    return AuthUser(external_id=o.external_id, first_name=o.first_name, last_name=o.last_name,
                    email=o.email, phone=o.phone, key=o.key).model_dump()


@router.get("/key", summary="The secret of obj (an external id)")
async def key(request: Request) -> dict[str, str]:
    return {"key": _opened(request, *await _checked(request)).key}


@router.get("/external_id", summary="Identity check of obj (an external id)")
async def external_id(request: Request) -> dict[str, str]:
    _, owner, _ = await _checked(request)
    return {"external_id": owner.external_id}
