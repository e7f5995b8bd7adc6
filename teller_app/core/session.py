"""The signed-in session: profile, platform client, employee, roles and branch (no Qt)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from teller_app.core.hub_problem import HubProblem, hub_problem_of
from teller_app.core.roles import Capability, capabilities_for
from teller_app.platform import (
    AuthError,
    Employee,
    HubLogin,
    HubUnavailable,
    NotFound,
    PasswordLogin,
    PermissionDenied,
    PlatformClient,
    PlatformError,
    RetryPolicy,
    Unavailable,
    ValidationError,
)
from teller_app.platform._http import CONNECT_TIMEOUT_S
from teller_app.platform._sensitive import secret_scope
from teller_app.platform.api_version import DESK_API, HubVersion
from teller_app.platform.auth import Auth, is_not_found
from teller_app.platform.hub_client import HubClient, SecretIssued
from teller_app.secrets import Profile

# connect: a SYN resend plus a TLS 1.2 handshake at 1 s RTT (a branch's LTE/3G backup link)
HUB_TIMEOUT = httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=10.0, write=10.0, pool=5.0)
# The longest an explicit sign-out waits for the platform (or hub) to revoke the session: a
# platform that is down never keeps the teller at the desk.
SIGN_OUT_WAIT = 5.0
# The hub's version, read once at sign-in: no answer within this and the sign-in goes on
# without it (nothing is refused on the desk's side; the hub refuses what it must).
HUB_VERSION_WAIT = 3.0

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

    async def connect(self, *, force: bool = False) -> None:
        """Open (or, with ``force``, renew) the hub session. Raises ``HubUnavailable``
        (``HubCheckUnavailable`` when the hub could not read DCM to check the session)."""
        async with self._lock:
            if self.hub.token and not force:
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
                await auth.relogin(_NO_HTTP, auth.session_token)
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
        try:
            return await self.hub.issue_secret(external_id, branch_guid, **fields)
        except AuthError:
            await self.connect(force=True)
            return await self.hub.issue_secret(external_id, branch_guid, **fields)

    async def call(self, fn: Callable[[HubClient], Awaitable[T]]) -> T:
        """``fn(hub)`` with a hub session (opened if needed); renewed once on 401."""
        await self.connect()
        try:
            return await fn(self.hub)
        except AuthError:
            await self.connect(force=True)
            return await fn(self.hub)

    async def aclose(self) -> None:
        if self.hub.token:
            try:
                await asyncio.wait_for(self.hub.close_session(), 3)
            except (PlatformError, TimeoutError) as exc:
                log.info("hub session not closed: %s", type(exc).__name__)
        await self.hub.aclose()


_NO_HTTP: Any = None  # HubLogin logs in through its own HubClient, not the DCM transport


@dataclass
class Session:
    profile: Profile
    client: PlatformClient
    employee: Employee
    roles: frozenset[str]
    branch_guid: str | None  # None = head office (sees every branch)
    branch_name: str = ""
    capabilities: frozenset[Capability] = field(default_factory=frozenset)
    hub: HubLink | None = None
    hub_problem: str | None = None  # why the hub is not usable now (English, for the log)
    hub_problem_kind: HubProblem | None = None  # its kind at sign-in, for the desk's words
    started_offline: bool = False  # opened against the offline verifier (ui/offline_start)
    hub_version: HubVersion | None = None  # read once the hub session opened (None: unknown)

    def __post_init__(self) -> None:
        if not self.capabilities:
            caps = capabilities_for(self.roles)
            if not self.is_head_office:  # a branch employee works in their branch only
                caps -= {Capability.CHOOSE_BRANCH}
            self.capabilities = caps

    @property
    def is_head_office(self) -> bool:
        return self.branch_guid is None

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def hub_available(self) -> bool:
        return self.hub is not None and self.hub.connected

    @property
    def desk_too_old(self) -> bool:
        """The hub refuses this desk's writes: IT must update Teller (the desk says so)."""
        return self.hub_version is not None and self.hub_version.refuses_this_desk

    def note_hub_version(self, found: HubVersion | None) -> None:
        """The hub's version read after sign-in (its link opened later): kept if none was."""
        if self.hub_version is None:
            self.hub_version = found

    async def close(self, *, sign_out: bool = False) -> None:
        """Close the HTTP clients (and the hub session). With ``sign_out`` (the employee
        signed out, not the app quitting) the platform session is revoked too, so its token
        (a remembered one included) no longer works; a failure is logged and waited for at
        most ``SIGN_OUT_WAIT`` s, never stopping the sign-out. Mode B's session is the hub's:
        closing it (``HubLink.aclose``) revokes it."""
        if sign_out and isinstance(self.client.auth, PasswordLogin) \
                and self.client.session_token is not None:
            try:
                revoked = await asyncio.wait_for(self.client.logout(), SIGN_OUT_WAIT)
            except TimeoutError:
                revoked = False
            if not revoked:
                log.warning("sign-out: the platform session was not revoked")
        if self.hub is not None:
            await self.hub.aclose()
        await self.client.aclose()


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


def mode_a_hub(profile: Profile, transport: httpx.AsyncBaseTransport | None = None
               ) -> HubClient | None:
    """The hub client of a Mode A profile (None without a ``hub_url``). The profile's CA,
    pins and proxy are DCM's in Mode A (``make_auth``): the hub is reached as is."""
    if not profile.hub_url:
        return None
    return HubClient(profile.hub_url, timeout=HUB_TIMEOUT, transport=transport)


async def open_session(
    profile: Profile,
    auth: Auth,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
    hub_transport: httpx.AsyncBaseTransport | None = None,
) -> Session:
    """Sign in with ``auth`` against ``profile``'s platform and resolve who we are.

    Mode B (``HubLogin``): DCM is reached through the hub's ``/dcm`` proxy and the hub's
    employee record (roles, branch) is the authority. Mode A with a ``hub_url``: a hub session
    is opened with the platform token; a hub that cannot be reached (or could not read DCM
    to check that token) does not stop the sign-in (``session.hub_problem`` says why and
    ``hub_problem_kind`` which; four-eyes and secrets are unavailable until it opens).

    Raises ``AuthError`` (``reason == "disabled"`` for a disabled employee, else
    "invalid_credentials"/"bank_auth"), ``Unavailable``/``Timeout`` when the platform (or, in
    Mode B, the hub) cannot be reached, ``NotFound`` when the employee is unknown."""
    hub: HubClient | None
    if isinstance(auth, HubLogin):
        hub = auth.hub
        base_url = hub.base_url + "/dcm"
    else:
        hub = mode_a_hub(profile, hub_transport)
        base_url = profile.base_url
    client = PlatformClient(
        base_url,
        profile.counterparty_guid,
        auth=auth,
        timeout=timeout,
        retry=retry,
        transport=transport,
        settings=profile.transport(),
    )
    version: asyncio.Future[HubVersion | None] | None = None
    try:
        try:
            await client.login()
        except HubUnavailable as exc:  # Mode B: no hub, no platform
            raise Unavailable(exc.message, status_code=exc.status_code, method=exc.method,
                              path=exc.path) from None
        if isinstance(auth, HubLogin):  # the hub session is open: its version meanwhile
            version = asyncio.ensure_future(read_hub_version(auth.hub))
            employee = await _hub_employee(client, auth)
        else:
            employee = await client.whoami()
        if employee.is_disabled:
            raise AuthError("this employee is disabled", reason="disabled")
        branch_name = employee.branch_name
        if employee.branch_guid and not branch_name:
            try:
                branch_name = (await client.get_branch(employee.branch_guid)).name
            except (NotFound, PermissionDenied, ValidationError) as exc:
                if isinstance(exc, ValidationError) and not is_not_found(exc):
                    raise  # only the 400 that means "no such branch" (not-found-400)
                branch_name = ""
        hub_version = await version if version is not None else None
    except BaseException:
        if version is not None:
            version.cancel()
        await client.aclose()
        if hub is not None:
            await hub.aclose()
        raise
    link = HubLink(hub, client, employee.branch_guid) if hub is not None else None
    problem: str | None = None if hub is not None else "no hub configured"
    kind = None if hub is not None else HubProblem.NOT_CONFIGURED
    if link is not None and not isinstance(auth, HubLogin):
        # /version needs no session: read alongside the connect (as Mode B does), not after
        # it, so a slow hub adds its wait once; used only when the hub session opened
        version = asyncio.ensure_future(read_hub_version(link.hub))
        try:
            await link.connect()
        except PlatformError as exc:
            problem, kind = str(exc), hub_problem_of(exc)
            log.warning("hub session not opened (%s, %s): four-eyes and secrets unavailable",
                        type(exc).__name__, kind.value)
        else:
            hub_version = await version
        finally:
            version.cancel()  # not wanted when the connect failed (a no-op once read)
    session = Session(
        profile=profile,
        client=client,
        employee=employee,
        roles=frozenset(employee.roles),
        branch_guid=employee.branch_guid,
        branch_name=branch_name,
        hub=link,
        hub_problem=problem,
        hub_problem_kind=kind,
        hub_version=hub_version,
    )
    log.info(
        "signed in: %d role(s), %s",
        len(session.roles),
        "head office" if session.is_head_office else "branch",
    )
    return session


async def read_hub_version(hub: HubClient) -> HubVersion | None:
    """The hub's ``/version`` once its session is open; None when it does not say (a hub from
    before version checks, or no answer in ``HUB_VERSION_WAIT``): the desk works on, and
    the hub refuses what it must."""
    try:
        found = await asyncio.wait_for(hub.version(), HUB_VERSION_WAIT)
    except (PlatformError, TimeoutError) as exc:
        log.info("hub version not read (%s)", type(exc).__name__)
        return None
    if found.refuses_this_desk:
        log.warning("the hub refuses this desk's writes: desk API %d, the hub's oldest %d "
                    "(update Teller)", DESK_API, found.min_desk_api)
    elif found.newer_than_desk:
        log.info("the hub speaks a newer API (%d) than this desk knows", found.api)
    return found


async def _hub_employee(client: PlatformClient, auth: HubLogin) -> Employee:
    """Mode B: roles and branch are the hub's (it enforces them); the DCM record, when DCM
    knows this e-mail, only adds the GUID and the name."""
    who = auth.employee
    if who is None:
        raise AuthError("the hub did not say who signed in", reason="invalid_credentials")
    branch = None if who.head_office else who.branch_guid
    fields: dict[str, Any] = {"guid": f"hub:{who.email}", "name": who.name}
    try:
        found = await client.whoami()
        fields = {"guid": found.guid, "name": found.name, "surname": found.surname,
                  "paternal_name": found.paternal_name,
                  "branch_name": found.branch_name if found.branch_guid == branch else ""}
    except (NotFound, PermissionDenied):
        pass
    return Employee.model_validate({**fields, "email": who.email, "login": who.email,
                                    "roles": list(who.roles), "branch_guid": branch})
