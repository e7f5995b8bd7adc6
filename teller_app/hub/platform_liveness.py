"""Mode A: a hub session lives no longer than the DCM session it was opened with.

Two parts. At sign-in (``routes_api.create_session``) the hub session's expiry is capped at
the DCM session's ``expires_at`` (from ``whoami``) and the DCM token is kept sealed in the
session's row (``sessions``). On every state-changing call (not GET/HEAD/OPTIONS) made with
a Mode A session, ``require_live`` asks DCM's ``whoami`` with that token — at most once per
CHECK_EVERY_S per session and process — and ends the hub session when DCM says the DCM
session is over (signed out, expired, the employee disabled, or another employee's).

So an employee who signed out of DCM (or was disabled there) can change nothing through the
hub more than CHECK_EVERY_S later; reads (and an open event stream) last until the capped
expiry. When DCM cannot be asked (unreachable, 5xx) the call goes on: the hub cannot learn
of a sign-out then, and refusing would stop every Mode A desk whenever DCM stumbles; the
next call past CHECK_EVERY_S asks again.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from fastapi import Request

from . import audit, sessions
from .dcm_unreadable import dcm_unreadable
from .errors import HubError, unauthorized
from .state import HubState

log = logging.getLogger("teller_hub.platform_liveness")
CHECK_EVERY_S = 30.0
WHOAMI_TIMEOUT_S = 5.0
LIVENESS_TIMEOUT_S = 3.0  # a state-changing call waits at most this for DCM's answer
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REMEMBERED = 20_000
ENDED = "your DCM session has ended (signed out, expired or disabled): sign in again"


@dataclass(frozen=True)
class PlatformSession:
    """What DCM's ``whoami`` said of a session token."""

    email: str
    active: bool
    expires_at: int | None  # epoch seconds (DCM's clock); None when not given or unreadable
    token: str = field(default="", repr=False)  # the token asked about (never in a repr)


async def whoami(state: HubState, token: str,
                 timeout: float = WHOAMI_TIMEOUT_S) -> PlatformSession:
    """Raises 401 (DCM refused the token) or 503 (DCM unreachable or in trouble:
    ``dcm_unreadable``; an odd answer: no code)."""
    url = f"{state.settings.dcm_url.rstrip('/')}/kratos/sessions/whoami"
    try:
        resp = await state.http.get(url, headers={"X-Session-Token": token}, timeout=timeout)
    except httpx.HTTPError:
        raise dcm_unreadable("DCM is unreachable: cannot check the platform session") from None
    if resp.status_code in (401, 403):
        raise unauthorized("DCM says the platform session is not valid")
    if resp.status_code >= 500:  # DCM's own trouble just now: try again
        raise dcm_unreadable(f"DCM whoami answered HTTP {resp.status_code}")
    if resp.status_code != 200:
        raise HubError(503, f"DCM whoami answered HTTP {resp.status_code}")
    try:
        data = resp.json()
        email = str(data["identity"]["traits"]["email"]).strip().lower()
        active = data.get("active") is True
    except (ValueError, KeyError, TypeError):
        raise HubError(503, "DCM whoami answered an unexpected shape") from None
    return PlatformSession(email, active, _epoch(data.get("expires_at")), token)


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(stamp.timestamp()) if stamp.tzinfo is not None else None


class Checked:
    """When this process last heard DCM on each Mode A session (monotonic), bounded."""

    def __init__(self, max_entries: int = MAX_REMEMBERED) -> None:
        self._max = max_entries
        self._at: OrderedDict[str, float] = OrderedDict()

    def fresh(self, key: str) -> bool:
        at = self._at.get(key)
        return at is not None and time.monotonic() - at < CHECK_EVERY_S

    def mark(self, key: str) -> None:
        self._at[key] = time.monotonic()
        self._at.move_to_end(key)
        while len(self._at) > self._max:
            self._at.popitem(last=False)

    def forget(self, key: str) -> None:
        self._at.pop(key, None)


def _checked(request: Request) -> Checked:
    """One per app (like the sign-in throttle)."""
    found = getattr(request.app.state, "platform_liveness", None)
    if not isinstance(found, Checked):
        found = Checked()
        request.app.state.platform_liveness = found
    return found


async def require_live(request: Request, state: HubState, found: sessions.Found,
                       token: str) -> None:
    """For a state-changing call with a Mode A session: the DCM session must still live."""
    if found.employee.source != "dcm" or request.method.upper() in SAFE_METHODS:
        return
    checked = _checked(request)
    if checked.fresh(found.token_hash):
        return
    platform = sessions.platform_token(state.master, found)
    verdict = "ended" if platform is None else await _ask(state, platform,
                                                          found.employee.email)
    if verdict == "ended":
        checked.forget(found.token_hash)
        await _end(request, state, found, token)
        raise unauthorized(ENDED)
    checked.mark(found.token_hash)  # "unknown" too: asked again CHECK_EVERY_S later


async def _ask(state: HubState, platform: str, email: str) -> str:
    """"live", "ended" or "unknown" (DCM could not say)."""
    try:
        seen = await whoami(state, platform, timeout=LIVENESS_TIMEOUT_S)
    except HubError as exc:
        if exc.status == 401:
            return "ended"
        log.warning("DCM whoami unavailable: the platform session is not re-checked now",
                    extra={"status": exc.status})
        return "unknown"
    return "live" if seen.active and seen.email == email else "ended"


async def _end(request: Request, state: HubState, found: sessions.Found, token: str) -> None:
    if not await sessions.delete(state.engine, token):
        return  # another request ended it a moment ago (and wrote the audit row)
    host = request.client.host if request.client else ""
    emp = found.employee
    await audit.record(state.engine, audit.Entry(
        actor=emp.email, action="sign_out", entity=f"address:{host}",
        branch_guid=emp.branch_guid,
        detail={"address": host, "source": emp.source, "reason": "platform_session_ended"}))
    log.info("hub session ended with its DCM session", extra={"source": emp.source})
