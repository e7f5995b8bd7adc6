"""Who is an employee: the hub's own store (Mode B) first, then DCM's employees (Mode A).

DCM's list is read with the hub's technical account and kept in memory, refreshed in the
background, so the Auth Service (1 s budget) never waits on a cold DCM call longer than a
short, bounded look-up for an e-mail it has not seen yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from teller_app.platform import PasswordLogin, PlatformClient, PlatformError
from teller_app.platform.models import Employee

from .employees import PasswordStore
from .models import HubEmployee
from .settings import HubSettings
from .task_stop import stop_task

log = logging.getLogger("teller_hub.directory")

MISS_WAIT_S = 0.6  # the most an Auth Service answer waits for a refresh on an unknown e-mail
MIN_MISS_REFRESH_S = 2.0  # unknown e-mails trigger at most one refresh per this interval


def from_dcm(emp: Employee) -> HubEmployee:
    return HubEmployee(
        email=(emp.email or emp.login).strip().lower(),
        name=" ".join(p for p in (emp.surname, emp.name) if p) or emp.email,
        roles=tuple(emp.roles), branch_guid=emp.branch_guid,
        head_office=emp.branch_guid is None, source="dcm", disabled=emp.is_disabled,
    )


class DcmDirectory:
    """DCM's employees by e-mail (lower case), cached."""

    def __init__(self, settings: HubSettings) -> None:
        self._settings = settings
        self._by_email: dict[str, HubEmployee] = {}
        self._loaded_at = 0.0
        self._refreshing: asyncio.Task[None] | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._client: PlatformClient | None = None

    @property
    def enabled(self) -> bool:
        return self._settings.tech_account_configured

    @property
    def loaded(self) -> bool:
        """True once a full list has been read from DCM at least once."""
        return bool(self._by_email)

    def start(self) -> None:
        if self.enabled and self._loop_task is None:
            self._loop_task = asyncio.create_task(self._loop(), name="dcm-directory")

    async def close(self) -> None:
        try:
            await asyncio.gather(stop_task(self._loop_task), stop_task(self._refreshing))
        finally:  # a close cancelled meanwhile still closes the client
            if self._client is not None:
                await self._client.aclose()

    async def lookup(self, email: str, *, wait_s: float = MISS_WAIT_S) -> HubEmployee | None:
        email = email.strip().lower()
        emp = self._by_email.get(email)
        if emp is not None or not self.enabled:
            return emp
        if time.monotonic() - self._loaded_at >= MIN_MISS_REFRESH_S or not self._loaded_at:
            task = self._refresh_task()
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(task), wait_s)
        return self._by_email.get(email)

    def _refresh_task(self) -> asyncio.Task[None]:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._refresh(), name="dcm-directory-refresh")
        return self._refreshing

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._refresh_task())
            await asyncio.sleep(self._settings.directory_refresh_s)

    async def _refresh(self) -> None:
        s = self._settings
        assert s.dcm_tech_password is not None
        if self._client is None:
            self._client = PlatformClient(
                s.dcm_url, s.dcm_counterparty, timeout=5.0,
                auth=PasswordLogin(s.dcm_tech_login, s.dcm_tech_password.get_secret_value()))
        found: dict[str, HubEmployee] = {}
        offset = 0
        try:
            while True:
                page = await self._client.list_employees(include_disabled=True, offset=offset,
                                                         limit=200)
                for emp in page.employees:
                    hub_emp = from_dcm(emp)
                    if hub_emp.email:
                        found[hub_emp.email] = hub_emp
                offset += len(page.employees)
                if not page.employees or offset >= page.total:
                    break
        except PlatformError as exc:
            log.warning("dcm directory refresh failed", extra={"error": type(exc).__name__})
            self._loaded_at = time.monotonic()  # rate-limit retries on misses
            return
        self._by_email = found
        self._loaded_at = time.monotonic()
        log.info("dcm directory refreshed", extra={"employees": len(found)})


STORE_TTL_S = 1.0  # a hub-store change reaches the Auth Service within this (any process)


class Directory:
    """Hub store first (it is authoritative where it knows the e-mail), then DCM.

    Store answers are kept for ``STORE_TTL_S`` so the Auth Service usually needs no database
    round trip for the subject; desk sessions (``authn``) read the store uncached."""

    def __init__(self, store: PasswordStore, dcm: DcmDirectory) -> None:
        self.store = store
        self.dcm = dcm
        self._store_seen: dict[str, tuple[float, HubEmployee | None]] = {}

    async def lookup(self, email: str) -> HubEmployee | None:
        email = email.strip().lower()
        t = time.monotonic()
        seen = self._store_seen.get(email)
        if seen is not None and t - seen[0] < STORE_TTL_S:
            emp = seen[1]
        else:
            emp = await self.store.lookup(email)
            if len(self._store_seen) > 10_000:
                self._store_seen.clear()
            self._store_seen[email] = (t, emp)
        if emp is not None:
            return emp
        return await self.dcm.lookup(email)
