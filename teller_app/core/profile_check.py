"""A saved profile checked the way the desk will connect with it: ``teller-app doctor
--profile`` and the profile manager's "Test connection" both run ``check_profile``, so what
they say cannot drift. No widgets.

Each step is a ``Check`` (name, ok / adapted / failed, evidence), in order; a step that
fails stops the steps that need it:

- Mode A (``auth_mode: password``): "platform": DCM answers through the profile's transport
  (its proxy, CA bundle and SPKI pins); "Teller Hub": ``/readyz`` when a ``hub_url`` is set
  (reached as is: in Mode A the profile's transport is DCM's); then the doctor's checks
  (``core/doctor.py``), signed in to DCM through that transport.
- Mode B (``auth_mode: hub``): "Teller Hub": ``/readyz`` through the profile's transport (the
  desk talks only to the hub then); "sign-in": e-mail + password to the hub, which says role
  and branch; "platform": DCM through the hub's ``/dcm`` proxy; then the doctor's checks
  through that proxy. The desk never signs in to DCM itself with the hub's password.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from teller_app.core.doctor import DoctorReport, SignInFailed, check_signed_in, run_doctor
from teller_app.core.doctor_checks import Check
from teller_app.platform import AuthError, Employee, PasswordLogin, PlatformClient, PlatformError
from teller_app.platform.transport import (
    TransportSecurityError,
    TransportSettings,
    client_options,
    security_error,
)
from teller_app.secrets import Profile, register_secret

TIMEOUT = 15.0
REACH_TIMEOUT = 5.0  # one GET to see that a host answers


@dataclass(frozen=True)
class ProfileCheck:
    """What ``check_profile`` found. ``report.checks`` holds every step in order, what was
    learnt about the server (``report.traits``) and the sync counts when asked for."""

    profile: str
    auth_mode: Literal["password", "hub"]
    report: DoctorReport
    # the sign-in itself failed (wrong password, disabled, unknown employee): the CLI's 2
    sign_in_failed: bool = False
    # the doctor's checks ran after sign-in: ``report.traits`` is what they learnt
    platform_checked: bool = False

    @property
    def checks(self) -> list[Check]:
        return self.report.checks

    @property
    def compatible(self) -> bool:
        return bool(self.report.checks) and self.report.compatible

    def to_json(self) -> dict[str, Any]:
        return {**self.report.to_json(), "compatible": self.compatible,
                "profile": self.profile, "auth_mode": self.auth_mode}


async def check_profile(
    profile: Profile,
    email: str,
    password: str,
    *,
    sync: bool = False,
    timeout: float = TIMEOUT,
    auth_service_url: str | None = None,
) -> ProfileCheck:
    """Every step for ``profile`` signed in as ``email``. Never raises for a platform, hub or
    transport problem: each is a failed check with its evidence. ``auth_service_url``: where
    the bank's Auth Service is checked (default: the profile's hub)."""
    register_secret(password)
    if profile.uses_hub_login:
        return await _mode_b(profile, email, password, sync=sync, timeout=timeout,
                             auth_service_url=auth_service_url)
    return await _mode_a(profile, email, password, sync=sync, timeout=timeout,
                         auth_service_url=auth_service_url)


async def _mode_a(profile: Profile, email: str, password: str, *, sync: bool, timeout: float,
                  auth_service_url: str | None) -> ProfileCheck:
    settings = profile.transport()
    steps = DoctorReport(server=profile.base_url)
    platform = await platform_reached(profile.base_url, settings, route(profile))
    steps.checks.append(platform)
    if profile.hub_url:
        steps.checks.append(await hub_ready(profile.hub_url, None))
    if platform.status == "failed":
        return ProfileCheck(profile.name, "password", steps)
    try:
        report = await run_doctor(
            profile.base_url, profile.counterparty_guid, PasswordLogin(email, password),
            sync=sync, auth_service_url=auth_service_url or profile.hub_url, timeout=timeout,
            settings=settings)
    except SignInFailed as exc:
        steps.checks.extend(exc.report.checks)
        return ProfileCheck(profile.name, "password", steps, sign_in_failed=True)
    except (PlatformError, httpx.HTTPError) as exc:
        steps.checks.append(Check("platform", "failed",
                                  f"{profile.base_url} -> {_error(exc)}"))
        return ProfileCheck(profile.name, "password", steps)
    report.checks[:0] = steps.checks
    return ProfileCheck(profile.name, "password", report, platform_checked=True)


async def _mode_b(profile: Profile, email: str, password: str, *, sync: bool, timeout: float,
                  auth_service_url: str | None) -> ProfileCheck:
    from teller_app.core.session import make_auth, open_session

    hub_url = profile.hub_url
    report = DoctorReport(server=f"{hub_url}/dcm" if hub_url else profile.base_url)
    if not hub_url:
        report.checks.append(Check("Teller Hub", "failed", "auth_mode hub: the profile has "
                                   "no hub_url to sign in through"))
        return ProfileCheck(profile.name, "hub", report)
    settings = profile.transport()  # Mode B: the profile's proxy, CA and pins are the hub's
    hub = await hub_ready(hub_url, settings, route(profile))
    report.checks.append(hub)
    if hub.status == "failed":
        return ProfileCheck(profile.name, "hub", report)
    sign_in = f"POST {hub_url.rstrip('/')}/api/v1/sessions"
    try:
        session = await open_session(profile, make_auth(profile, email, password),
                                     timeout=timeout)
    except PlatformError as exc:
        report.checks.append(Check("sign-in", "failed", f"{sign_in} -> {_error(exc)}"))
        return ProfileCheck(profile.name, "hub", report, sign_in_failed=True)
    try:
        employee = session.employee
        branch = employee.branch_guid or "head office"
        report.checks.append(Check("sign-in", "ok", f"{sign_in} -> signed in as "
                                   f"{employee.email} (roles {list(employee.roles)}, "
                                   f"branch {branch})"))
        platform = await _through_hub(session.client, employee)
        report.checks.append(platform)
        if platform.status == "failed":
            return ProfileCheck(profile.name, "hub", report)
        try:
            await check_signed_in(session.client, employee, report, sync=sync,
                                  auth_service_url=auth_service_url or hub_url,
                                  auth_service_settings=None if auth_service_url
                                  else settings)
        except (PlatformError, httpx.HTTPError) as exc:
            report.checks.append(Check("platform", "failed",
                                       f"{report.server} -> {_error(exc)}"))
            return ProfileCheck(profile.name, "hub", report)
    finally:
        await session.close()
    return ProfileCheck(profile.name, "hub", report, platform_checked=True)


async def _through_hub(client: PlatformClient, employee: Employee) -> Check:
    """Mode B's DCM: one read through the hub's ``/dcm`` proxy (the hub's bank key)."""
    scope: dict[str, Any] = {"branch_guids": [employee.branch_guid]} \
        if employee.branch_guid else {}
    path = client.cp_path + "/customers"
    sent = f"GET {client.base_url}{path}?limit=1 (through the hub)"
    try:
        status, body = await client.raw_get(path, {"limit": 1, **scope})
    except (PlatformError, httpx.HTTPError) as exc:
        return Check("platform", "failed", f"{sent} -> {_error(exc)}")
    if status != 200:
        return Check("platform", "failed", f"{sent} -> {status} {str(body)[:160]}")
    return Check("platform", "ok", f"{sent} -> 200")


def route(profile: Profile) -> str:
    """How the profile's transport reaches its host, for the evidence (never the proxy's
    password: ``Profile.proxy`` does not hold it)."""
    parts = [f"via proxy {profile.proxy}" if profile.proxy else "direct"]
    if profile.ca_bundle:
        parts.append(f"CA bundle {profile.ca_bundle}")
    if profile.spki_pins:
        parts.append(f"{len(profile.spki_pins)} SPKI pin(s)")
    return ", ".join(parts)


async def platform_reached(base_url: str, settings: TransportSettings, how: str) -> Check:
    """DCM answers at all through ``settings``: any answer but a gateway's "could not reach
    it" (502/503/504, what a proxy says for a host it cannot reach); the doctor's checks say
    the rest."""
    check, status = await _get("platform", base_url.rstrip("/") + "/", settings, how)
    if status in (502, 503, 504):
        return Check(check.name, "failed", check.detail + ": not reached")
    return check


async def hub_ready(hub_url: str, settings: TransportSettings | None,
                    how: str = "direct") -> Check:
    """The hub's ``/readyz`` answers 200 (its database reachable and migrated), reached with
    ``settings`` as the desk will (None: public roots, no proxy)."""
    check, status = await _get("Teller Hub", hub_url.rstrip("/") + "/readyz", settings, how)
    if status is not None and status != 200:
        return Check(check.name, "failed", check.detail)
    return check


async def _get(name: str, target: str, settings: TransportSettings | None,
               how: str) -> tuple[Check, int | None]:
    started = time.perf_counter()
    try:  # never the environment's proxy or CA
        async with httpx.AsyncClient(timeout=REACH_TIMEOUT,
                                     **client_options(target, settings)) as http:
            response = await http.get(target)
    except (httpx.HTTPError, TransportSecurityError) as exc:
        return Check(name, "failed", f"GET {target} ({how}) -> {_error(exc)}"), None
    ms = (time.perf_counter() - started) * 1000
    return Check(name, "ok", f"GET {target} ({how}) -> {response.status_code} in {ms:.0f} ms"
                 ), response.status_code


def _error(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPError):
        secure = security_error(exc)
        name = type(exc).__name__
        return f"{name}: {secure.message}" if secure is not None else name
    if isinstance(exc, PlatformError):
        status = f"{exc.status_code} " if exc.status_code is not None else ""
        kind = "wrong credentials: " if isinstance(exc, AuthError) else ""
        return f"{status}{kind}{exc.message}"
    return type(exc).__name__
