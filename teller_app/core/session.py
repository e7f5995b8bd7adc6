"""The signed-in session: profile, platform client, employee, roles and branch (no Qt).

Its parts: the link to the Teller Hub (``hub_link``), the sign-in's auth and a password check
(``sign_in_auth``); their names are importable from here as before."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from teller_app.core.hub_link import HUB_TIMEOUT as HUB_TIMEOUT
from teller_app.core.hub_link import HubLink as HubLink
from teller_app.core.hub_link import mode_a_hub as mode_a_hub
from teller_app.core.hub_problem import HubProblem, hub_problem_of
from teller_app.core.roles import Capability, capabilities_for
from teller_app.core.sign_in_auth import make_auth as make_auth
from teller_app.core.sign_in_auth import verify_password as verify_password
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
from teller_app.platform.api_version import DESK_API, HubVersion
from teller_app.platform.auth import Auth, is_not_found
from teller_app.platform.hub_client import HubClient
from teller_app.secrets import Profile

# The longest an explicit sign-out waits for the platform (or hub) to revoke the session: a
# platform that is down never keeps the teller at the desk.
SIGN_OUT_WAIT = 5.0
# The hub's version, read once at sign-in: no answer within this and the sign-in goes on
# without it (nothing is refused on the desk's side; the hub refuses what it must).
HUB_VERSION_WAIT = 3.0

log = logging.getLogger("teller_app.core.session")


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
        closing it (``HubLink.aclose``) revokes it. Closed, the session holds no credential:
        the password kept for a re-login and the tokens are dropped (``Auth.forget``), even
        when a step of the close failed."""
        try:
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
        finally:
            self.client.auth.forget()


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
