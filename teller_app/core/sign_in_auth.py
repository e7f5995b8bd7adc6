"""How a desk signs in with a profile: DCM's Kratos (Mode A) or the Teller Hub (Mode B), and a
throwaway check of a password (the lock screen, a supervisor's in-place approval). No Qt."""

from __future__ import annotations

import contextlib

import httpx

from teller_app.platform import AuthError, HubLogin, PasswordLogin, PlatformClient, PlatformError
from teller_app.platform._sensitive import secret_scope
from teller_app.platform.auth import Auth
from teller_app.platform.hub_client import HubClient
from teller_app.secrets import Profile


def make_auth(profile: Profile, email: str, password: str,
              *, hub_transport: httpx.AsyncBaseTransport | None = None) -> Auth:
    """The sign-in for this profile: DCM's Kratos (Mode A) or the hub (Mode B, ``HubLogin``:
    the desk never holds the bank's key)."""
    if profile.uses_hub_login:
        if not profile.hub_url:
            raise AuthError("this profile signs in through the Teller Hub but has no hub_url",
                            reason="no_hub")
        # Mode B: the desk talks only to the hub (DCM through /dcm), so the profile's CA,
        # pins and proxy are the hub's; in Mode A they are DCM's and the hub is reached as is
        return HubLogin(HubClient(profile.hub_url, transport=hub_transport,
                                  settings=profile.transport()), email, password)
    return PasswordLogin(email, password)


async def verify_password(profile: Profile, email: str, password: str) -> bool:
    """True when the profile's sign-in service accepts ``password`` for ``email`` (a
    throwaway login: lock screen, a supervisor's in-place approval). What it registers for
    log masking and did not hold before (its session token) is forgotten after."""
    with secret_scope():
        return await _verify_password(profile, email, password)


async def _verify_password(profile: Profile, email: str, password: str) -> bool:
    auth = make_auth(profile, email, password)
    if isinstance(auth, HubLogin):
        try:
            await auth.login()
            return True
        except AuthError:
            return False
        finally:
            with contextlib.suppress(PlatformError):
                await auth.hub.close_session()
            await auth.hub.aclose()
    client = PlatformClient(profile.base_url, profile.counterparty_guid, auth=auth,
                            settings=profile.transport())
    try:
        await client.login()
        await client.logout()  # only a check: the session is revoked at once
        return True
    except AuthError:
        return False
    finally:
        await client.aclose()
