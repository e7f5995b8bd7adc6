"""``teller-app doctor``: sign in, then check every assumption the client makes about the
platform with read-only requests, each check with a name, ok / adapted / failed and the
evidence (what was asked and what came back). ``--sync`` also runs a full sync into a
temporary encrypted cache, deleted afterwards. It never writes to the platform.

``run_doctor`` is the entry point for the CLI's ``--url`` form (``core/doctor_cli.py``); a
saved profile is checked the way the desk connects by ``core/profile_check.py`` (the CLI's
``--profile`` and the profile manager's "Test connection"), which runs these checks too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teller_app.core import doctor_checks as shapes
from teller_app.core.doctor_checks import Check
from teller_app.core.roles import capabilities_for
from teller_app.platform import (
    AuthError,
    BankJwtLogin,
    Employee,
    PasswordLogin,
    PlatformClient,
    PlatformError,
)
from teller_app.platform.probes import (
    Finding,
    probe_bounds,
    probe_disabled,
    probe_ordering,
    probe_page_cap,
)
from teller_app.platform.traits import ServerTraits
from teller_app.platform.transport import TransportSettings


class SignInFailed(Exception):
    """Sign-in (or who-am-I) failed: the report says why; the CLI exits 2."""

    def __init__(self, report: DoctorReport) -> None:
        super().__init__(report.checks[-1].detail if report.checks else "sign-in failed")
        self.report = report


@dataclass
class DoctorReport:
    server: str
    checks: list[Check] = field(default_factory=list)
    traits: ServerTraits = field(default_factory=ServerTraits)
    synced_customers: int | None = None
    sync_seconds: float | None = None
    server_customers: int | None = None

    @property
    def compatible(self) -> bool:
        return all(c.status != "failed" for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "compatible": self.compatible,
            "server": self.server,
            "checks": [c.to_json() for c in self.checks],
            "learnt": self.traits.to_json(),
        }
        if self.synced_customers is not None:
            out["synced_customers"] = self.synced_customers
            out["server_customers"] = self.server_customers
            out["sync_seconds"] = self.sync_seconds
        return out


async def run_doctor(
    base_url: str,
    counterparty_guid: str,
    auth: PasswordLogin | BankJwtLogin,
    *,
    sync: bool = False,
    auth_service_url: str | None = None,
    timeout: float = 30.0,
    settings: TransportSettings | None = None,
) -> DoctorReport:
    """All checks. Raises ``SignInFailed`` (with the report so far) when sign-in or the
    employee lookup fails; otherwise returns the report (``compatible`` or not)."""
    report = DoctorReport(server=base_url)
    client = PlatformClient(base_url, counterparty_guid, auth=auth, timeout=timeout,
                            settings=settings)
    try:
        employee = await _sign_in(client, auth, report)
        await check_signed_in(client, employee, report, sync=sync,
                              auth_service_url=auth_service_url)
    finally:
        await client.aclose()
    return report


async def check_signed_in(
    client: PlatformClient,
    employee: Employee,
    report: DoctorReport,
    *,
    sync: bool = False,
    auth_service_url: str | None = None,
    auth_service_settings: TransportSettings | None = None,
) -> None:
    """The checks after sign-in, on a signed-in ``client`` (DCM itself, or in Mode B the
    hub's ``/dcm`` proxy, ``core/profile_check.py``), appended to ``report``."""
    scope = {"branch_guids": [employee.branch_guid]} if employee.branch_guid else {}
    await _platform_checks(client, employee, scope, report)
    report.checks.append(await shapes.auth_service(auth_service_url, auth_service_settings))
    report.traits = client.traits
    if sync:
        await _sync_check(client, employee, scope, report)
        report.traits = client.traits


async def _sign_in(
    client: PlatformClient, auth: PasswordLogin | BankJwtLogin, report: DoctorReport
) -> Employee:
    login_req = ("GET /api/v1/counterparty/{cp}/jwk/authenticate (CX-Authorization)"
                 if isinstance(auth, BankJwtLogin) else
                 "GET /kratos/self-service/login/api, POST /kratos/self-service/login?flow=…")
    try:
        await client.login()
    except PlatformError as exc:
        report.checks.append(Check("sign-in", "failed", f"{login_req} -> {_err(exc)}"))
        raise SignInFailed(report) from None
    expires = client.token_expires_at
    report.checks.append(Check("sign-in", "ok", f"{login_req} -> signed in"
                               + (f", session expires {expires.isoformat()}" if expires else "")))
    try:
        employee = await client.whoami()
    except PlatformError as exc:
        report.checks.append(Check("whoami", "failed",
                                   f"GET /employees (by identity id, then login) -> {_err(exc)}"))
        raise SignInFailed(report) from None
    extra = employee.model_extra or {}
    how = "by identity id" if auth.identity_id == employee.guid else "by login"
    if "employee_guid" in extra and "guid" not in extra:
        report.checks.append(Check("whoami", "adapted", f"GET /employees found {how}; the "
                                   "employee's GUID comes as employee_guid (read as guid)"))
    else:
        report.checks.append(Check("whoami", "ok", f"GET /employees found {how}: guid "
                                   f"{employee.guid}, disabled={employee.is_disabled}"))
    if employee.is_disabled:
        report.checks.append(Check("whoami", "failed", "the employee is disabled"))
        raise SignInFailed(report)
    return employee


async def _platform_checks(
    client: PlatformClient, employee: Employee, scope: dict[str, Any], report: DoctorReport
) -> None:
    caps = capabilities_for(employee.roles)
    report.checks.append(Check(
        "roles", "ok" if caps else "failed",
        f"roles {employee.roles} -> {len(caps)} capabilities"
        + ("" if caps else ": no known role (Teller, Supervisor, Administrator, Auditor)")))
    report.checks.append(await _branch_check(client, employee))
    for probe in (probe_page_cap, probe_disabled, probe_ordering, probe_bounds):
        report.checks.append(await _probe(client, scope, probe))
    report.checks.append(await _guarded("empty-list form", shapes.empty_list_form(client)))
    sample = await client.raw_get(client.cp_path + "/customers", {"limit": 1, **scope})
    report.checks.append(shapes.timestamps(sample))
    report.checks.append(shapes.field_forms(sample))
    rows = sample[1].get("customers") if isinstance(sample[1], dict) else None
    first = rows[0] if rows and isinstance(rows[0], dict) else {}
    guid = first.get("wallet_user_guid")
    try:
        report.checks.extend(await shapes.accounts(client, guid if isinstance(guid, str)
                                                   else None))
    except PlatformError as exc:
        report.checks.append(Check("accounts shape", "failed", _err(exc)))
    report.checks.append(await _guarded("error body form", shapes.error_body(client)))


async def _branch_check(client: PlatformClient, employee: Employee) -> Check:
    if not employee.branch_guid:
        return Check("branch", "ok", "no branch_guid: head office (every branch)")
    try:
        branch = await client.get_branch(employee.branch_guid)
    except PlatformError as exc:
        return Check("branch", "failed", f"GET /branches/{{guid}} -> {_err(exc)}")
    state = "deleted" if branch.is_deleted else "active"
    return Check("branch", "failed" if branch.is_deleted else "ok",
                 f"GET /branches/{{guid}} -> {branch.name!r} ({state})")


async def _probe(client: PlatformClient, scope: dict[str, Any], probe: Any) -> Check:
    try:
        finding: Finding = await probe(client, scope)
    except PlatformError as exc:
        return Check(probe.__name__.removeprefix("probe_"), "failed", _err(exc))
    if finding.learnt:
        client.learn(**finding.learnt)
    return Check(finding.name, finding.status, finding.detail)


async def _guarded(name: str, check: Any) -> Check:
    try:
        result: Check = await check
    except PlatformError as exc:
        return Check(name, "failed", _err(exc))
    return result


async def _sync_check(
    client: PlatformClient, employee: Employee, scope: dict[str, Any], report: DoctorReport
) -> None:
    """A full sync into a throw-away encrypted cache (random key, deleted afterwards)."""
    from teller_app.cache import HEAD_OFFICE, cache_path
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.core.sync import SyncEngine

    tmp = Path(tempfile.mkdtemp(prefix="teller-doctor-"))
    os.chmod(tmp, 0o700)
    worker = CacheWorker()
    try:
        await worker.open(cache_path(tmp, "doctor", employee.branch_guid or HEAD_OFFICE),
                          os.urandom(32))
        engine = SyncEngine(client, worker, scope.get("branch_guids"),
                            reconcile_hours=1e9)
        started = time.perf_counter()
        try:
            received = await engine.sync_now()
        except PlatformError as exc:
            report.checks.append(Check("full sync", "failed", _err(exc)))
            return
        finally:
            await engine.stop()  # the background reconcile pass: not needed here
        report.sync_seconds = round(time.perf_counter() - started, 2)
        stats = await worker.stats()
        report.synced_customers = stats.count
        page = await client.list_customers(limit=1, **scope)
        report.server_customers = page.total
        detail = (f"{received} rows received, {stats.count} customers cached, the server "
                  f"lists {page.total}, in {report.sync_seconds} s")
        ok = received >= page.total and stats.full_sync_done
        report.checks.append(Check("full sync", "ok" if ok else "failed", detail))
    finally:
        with contextlib.suppress(Exception):
            await worker.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _err(exc: PlatformError) -> str:
    status = f"{exc.status_code} " if exc.status_code is not None else ""
    kind = "wrong credentials: " if isinstance(exc, AuthError) else ""
    return f"{status}{kind}{exc.message}"
