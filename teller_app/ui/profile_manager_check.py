""""Test connection" for a profile being edited: the integration doctor's checks
(``core/doctor.py``), plus the hub when the profile names one. No widgets: the dialog runs
``test_profile`` through ``ops`` and shows each ``Check`` (name, ok/adapted/failed, evidence).
"""

from __future__ import annotations

import time

import httpx

from teller_app.core.doctor import SignInFailed, run_doctor
from teller_app.core.doctor_checks import Check
from teller_app.platform import PasswordLogin, PlatformError
from teller_app.platform.transport import (
    TransportSecurityError,
    TransportSettings,
    client_options,
)
from teller_app.secrets import Profile, register_secret

TIMEOUT = 15.0


async def test_profile(profile: Profile, email: str, password: str) -> list[Check]:
    """Every check for ``profile`` signed in as ``email``. Never raises for a platform
    problem: a failed sign-in is a failed check with its evidence."""
    register_secret(password)
    checks: list[Check] = []
    if profile.hub_url:
        # Mode B reaches only the hub: the profile's CA, pins and proxy are its own then
        checks.append(await _hub_ready(profile.hub_url, profile.transport()
                                       if profile.uses_hub_login else None))
    if profile.uses_hub_login:
        checks.append(await _hub_sign_in(profile, email, password))
        return checks
    try:
        report = await run_doctor(
            profile.base_url, profile.counterparty_guid, PasswordLogin(email, password),
            auth_service_url=profile.hub_url, timeout=TIMEOUT, settings=profile.transport())
    except SignInFailed as exc:
        checks.extend(exc.report.checks)
        return checks
    except PlatformError as exc:
        checks.append(Check("platform", "failed", f"{profile.base_url} -> {exc.message}"))
        return checks
    checks.extend(report.checks)
    return checks


async def _hub_ready(hub_url: str, settings: TransportSettings | None) -> Check:
    target = hub_url.rstrip("/") + "/readyz"
    started = time.perf_counter()
    try:  # as the desk will connect: the profile's CA bundle, pins and proxy
        async with httpx.AsyncClient(timeout=5.0, **client_options(hub_url, settings)) as http:
            response = await http.get(target)
    except (httpx.HTTPError, TransportSecurityError) as exc:
        return Check("Teller Hub", "failed", f"GET {target} -> {type(exc).__name__}")
    ms = (time.perf_counter() - started) * 1000
    sent = f"GET {target} -> {response.status_code} in {ms:.0f} ms"
    return Check("Teller Hub", "ok" if response.status_code == 200 else "failed", sent)


async def _hub_sign_in(profile: Profile, email: str, password: str) -> Check:
    """Mode B: sign in through the hub (which checks role and branch) and resolve the
    employee through its DCM proxy."""
    from teller_app.core.session import make_auth, open_session

    assert profile.hub_url
    try:
        session = await open_session(profile, make_auth(profile, email, password),
                                     timeout=TIMEOUT)
    except PlatformError as exc:
        status = f"{exc.status_code} " if exc.status_code is not None else ""
        return Check("sign-in", "failed", f"POST {profile.hub_url}/api/v1/sessions -> "
                     f"{status}{exc.message}")
    try:
        employee = session.employee
        branch = employee.branch_guid or "head office"
        return Check("sign-in", "ok", f"POST /api/v1/sessions -> signed in as {employee.email} "
                     f"(roles {list(employee.roles)}, branch {branch})")
    finally:
        await session.close()
