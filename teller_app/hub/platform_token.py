"""Mode A: an approver's DCM session token is checked with DCM's ``whoami`` before the hub
executes in their name (counted like a sign-in, so it cannot be guessed)."""

from __future__ import annotations

import httpx

from . import signin_throttle
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .state import HubState


async def check_platform_token(state: HubState, email: str, token: str) -> None:
    """Mode A: the token must be a live DCM session of the approver themself; counted against
    the approver's e-mail like a sign-in (429 while locked)."""
    async with signin_throttle.token_attempt(state.engine, state.master, email):
        await _check_platform_token(state, email, token)


async def _check_platform_token(state: HubState, email: str, token: str) -> None:
    url = f"{state.settings.dcm_url.rstrip('/')}/kratos/sessions/whoami"
    try:
        resp = await state.http.get(url, headers={"X-Session-Token": token}, timeout=5.0)
    except httpx.HTTPError:
        raise dcm_unreadable("DCM is unreachable: cannot check your platform session") from None
    if resp.status_code >= 500:  # DCM's own trouble: not the approver's failure to count
        raise dcm_unreadable("DCM could not check your platform session: try again")
    if resp.status_code != 200:
        raise HubError(401, "DCM says your platform session is not valid: sign in again")
    try:
        data = resp.json()
        who = str(data["identity"]["traits"]["email"]).strip().lower()
    except (ValueError, KeyError, TypeError):
        raise HubError(503, "DCM whoami answered an unexpected shape") from None
    if data.get("active") is not True or who != email:
        raise HubError(403, "the platform session given is not the approver's own")
