"""The signed-in session's link to the Teller Hub (``HubLink``), and a Mode-A profile's hub
client (``mode_a_hub``). No Qt."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from teller_app.platform import AuthError, HubLogin, PlatformClient, PlatformError
from teller_app.platform._http import CONNECT_TIMEOUT_S
from teller_app.platform.hub_client import HubClient, SecretIssued
from teller_app.secrets import Profile

# connect: a SYN resend plus a TLS 1.2 handshake at 1 s RTT (a branch's LTE/3G backup link)
HUB_TIMEOUT = httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=10.0, write=10.0, pool=5.0)

log = logging.getLogger("teller_app.core.session")
T = TypeVar("T")


class HubLink:
    """The session's link to the Teller Hub. Mode A opens a hub session with the platform's
    session token (again when the hub was down at sign-in, or its session expired); Mode B
    shares the token the hub gave at sign-in (``HubLogin``)."""

    def __init__(self, hub: HubClient, client: PlatformClient,
                 branch_guid: str | None = None) -> None:
        self.hub = hub
        self.client = client
        # the employee's branch: where DCM puts a customer created without one
        self.branch_guid = branch_guid
        self._lock = asyncio.Lock()
        # told after each session opened (the feed's reconnect or any hub call): a notice
        # that the hub was not usable at sign-in no longer holds (ui/start_main_window)
        self._opened: list[Callable[[], None]] = []

    @property
    def connected(self) -> bool:
        return self.hub.token is not None

    def when_opened(self, listener: Callable[[], None]) -> None:
        self._opened.append(listener)

    async def connect(self, *, force: bool = False, stale: str | None = None) -> None:
        """Open (or, with ``force``, renew) the hub session. Raises ``HubUnavailable``
        (``HubCheckUnavailable`` when the hub could not read DCM to check the session).

        A renewal is for the token the hub refused (``stale``; by default the one held when
        asked): one renewed meanwhile by another call (calls refused together wait here for
        the first one's renewal) is used as it is, so the hub session is opened once."""
        refused = stale if stale is not None else self.hub.token
        async with self._lock:
            if self.hub.token and (not force or self.hub.token != refused):
                return
            await self._open(force)
        for listener in list(self._opened):
            try:
                listener()
            except Exception:  # a listener's trouble is not a failed connect
                log.exception("a hub-opened listener failed")

    async def _open(self, force: bool) -> None:
        """The body of ``connect``, under its lock."""
        auth = self.client.auth
        if isinstance(auth, HubLogin):
            if force:
                if not await auth.relogin(_NO_HTTP, auth.session_token):
                    # no password kept (its session closed): not renewed, so not "opened"
                    self.hub.token = auth.session_token  # the refused one is not kept
                    raise AuthError("no credential to renew the hub session with",
                                    reason="expired")
            else:
                await auth.ensure(_NO_HTTP)
            self.hub.token = auth.session_token
            return
        token = self.client.session_token
        if not token:
            raise AuthError("no platform session to open a hub session with",
                            reason="expired")
        try:
            await self.hub.open_platform_session(token)
        except AuthError:
            if not force:
                raise
            # The hub's session ends with the platform's: renew that first (a platform
            # call signs in again once on 401), then open the hub's with the new token.
            await self.client.whoami()
            renewed = self.client.session_token
            if not renewed or renewed == token:
                raise
            await self.hub.open_platform_session(renewed)

    async def issue_secret(self, external_id: str, branch_guid: str | None,
                           **fields: str | None) -> SecretIssued:
        """Have the hub hold ``external_id``'s secret (idempotent); renews the hub session
        once on 401."""
        await self.connect()
        used = self.hub.token
        try:
            return await self.hub.issue_secret(external_id, branch_guid, **fields)
        except AuthError:
            await self.connect(force=True, stale=used)
            return await self.hub.issue_secret(external_id, branch_guid, **fields)

    async def call(self, fn: Callable[[HubClient], Awaitable[T]]) -> T:
        """``fn(hub)`` with a hub session (opened if needed); renewed once on 401."""
        await self.connect()
        used = self.hub.token
        try:
            return await fn(self.hub)
        except AuthError:
            await self.connect(force=True, stale=used)
            return await fn(self.hub)

    async def aclose(self) -> None:
        """End the hub session (best effort) and close the client; its token is dropped
        either way (a closed link holds none)."""
        try:
            if self.hub.token:
                try:
                    await asyncio.wait_for(self.hub.close_session(), 3)
                except (PlatformError, TimeoutError) as exc:
                    log.info("hub session not closed: %s", type(exc).__name__)
            await self.hub.aclose()
        finally:
            self.hub.token = None
            self.hub.session = None


_NO_HTTP: Any = None  # HubLogin logs in through its own HubClient, not the DCM transport


def mode_a_hub(profile: Profile, transport: httpx.AsyncBaseTransport | None = None
               ) -> HubClient | None:
    """The hub client of a Mode A profile (None without a ``hub_url``). The profile's CA,
    pins and proxy are DCM's in Mode A (``make_auth``): the hub is reached as is."""
    if not profile.hub_url:
        return None
    return HubClient(profile.hub_url, timeout=HUB_TIMEOUT, transport=transport)
