"""The signed-in session: profile, platform client, employee, roles and branch (no Qt)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx

from teller_app.core.roles import Capability, capabilities_for
from teller_app.platform import (
    AuthError,
    BankJwtLogin,
    Employee,
    NotFound,
    PasswordLogin,
    PermissionDenied,
    PlatformClient,
    RetryPolicy,
)
from teller_app.secrets import Profile

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

    async def close(self) -> None:
        await self.client.aclose()


async def open_session(
    profile: Profile,
    auth: PasswordLogin | BankJwtLogin,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float | None = None,
    retry: RetryPolicy | None = None,
) -> Session:
    """Sign in with ``auth`` against ``profile``'s platform and resolve who we are.

    Raises ``AuthError`` (``reason == "disabled"`` for a disabled employee, else
    "invalid_credentials"/"bank_auth"/"bad_key"), ``Unavailable``/``Timeout`` when the platform
    cannot be reached, ``NotFound`` when the employee is not in the employees list."""
    client = PlatformClient(
        profile.base_url,
        profile.counterparty_guid,
        auth=auth,
        timeout=timeout,
        retry=retry,
        transport=transport,
        settings=profile.transport(),
    )
    try:
        await client.login()
        employee = await client.whoami()
        if employee.is_disabled:
            raise AuthError("this employee is disabled", reason="disabled")
        branch_name = employee.branch_name
        if employee.branch_guid and not branch_name:
            try:
                branch_name = (await client.get_branch(employee.branch_guid)).name
            except (NotFound, PermissionDenied):
                branch_name = ""
    except BaseException:
        await client.aclose()
        raise
    session = Session(
        profile=profile,
        client=client,
        employee=employee,
        roles=frozenset(employee.roles),
        branch_guid=employee.branch_guid,
        branch_name=branch_name,
    )
    log.info(
        "signed in: %d role(s), %s",
        len(session.roles),
        "head office" if session.is_head_office else "branch",
    )
    return session
