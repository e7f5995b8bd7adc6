"""The embedded default: sandbox (as DCM) and Teller Hub (as the bank's Auth Service), wired.

Order: a free loopback port is picked for the hub, and the hub process starts at once
(``serve --settings-stdin``: it loads its code meanwhile); the sandbox starts in parallel with
``--bank-auth-url http://127.0.0.1:PORT``; once the sandbox is up the hub gets its settings
(over stdin): the sandbox as its DCM (``dcm_url``, counterparty), the sandbox's administrator
as its technical account and the sandbox's bank key (Mode B) as its key. Both keep their
data under the user data dir (0700) and are reused on the next start; both are stopped at exit.

Onboarding (``onboard``): the hub gets a secret for every existing demo customer (external id
= login) and for the key keepers (``keykeeper:<branch>``, ``keykeeper:<counterparty>``), through
its admin endpoint. Idempotent; skipped when nothing changed since the last run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from teller_app.core import app_paths
from teller_app.core.embedded_hub import (
    HubProcess,
    PendingHub,
    free_port,
    private_dir,
    spawn_hub,
)
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import PasswordLogin, PlatformClient

log = logging.getLogger("teller_app.core.embedded")
ADMIN_EMAIL = "admin@demo.bank"
ONBOARDED_FILE = "onboarded.json"
IMPORT_PATH = "/api/v1/admin/secrets/import"
BATCH = 500


@dataclass
class EmbeddedStack:
    sandbox: SandboxProcess
    hub: HubProcess | None
    hub_problem: str | None = None  # why the hub is not running (English, for the log)
    hub_port: int = 0  # where the sandbox expects the hub's Auth Service

    @property
    def hub_url(self) -> str | None:
        """The hub's URL; when it did not start, where it should be, so that the desk finds
        it unreachable and says so (rather than not knowing there is a hub)."""
        if self.hub is not None:
            return self.hub.base_url
        return f"http://127.0.0.1:{self.hub_port}" if self.hub_port else None

    def stop(self) -> None:
        if self.hub is not None:
            self.hub.stop()
        self.sandbox.stop()


def hub_dir(base: Path | None = None) -> Path:
    return (base or app_paths.data_dir()) / "hub"


def hub_settings(sandbox: SandboxProcess) -> dict[str, str]:
    """The hub's settings for this sandbox (secrets go through the environment only)."""
    manifest = sandbox.manifest
    admin = next(e for e in manifest["employees"] if e["email"] == ADMIN_EMAIL)
    bank = manifest["bank_jwt"]
    return {
        "dcm_url": sandbox.base_url,
        "dcm_counterparty": sandbox.counterparty_guid,
        "dcm_tech_login": ADMIN_EMAIL,
        "dcm_tech_password": str(admin["password"]),
        "bank_key_file": str(bank["private_key_pem"]),
        "bank_key_kid": str(bank["kid"]),
    }


def start_embedded(data: Path, *, customers: int | None = None,
                   sandbox_args: tuple[str, ...] = ()) -> EmbeddedStack:
    """Start both (blocking: call off the UI thread). A hub that does not start leaves the
    sandbox running: sign-in works, creating customers is declined with a clear message."""
    port = free_port()
    pending: PendingHub | None = None
    try:
        pending = spawn_hub(hub_dir(data), port=port)
    except Exception as exc:
        log.exception("embedded hub did not start")
        problem = f"the hub did not start ({type(exc).__name__})"
    try:
        sandbox = start_sandbox(app_paths.sandbox_dir(data), "--bank-auth-url",
                                f"http://127.0.0.1:{port}", *sandbox_args, customers=customers)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    if pending is None:
        return EmbeddedStack(sandbox, None, problem, port)
    try:
        hub = pending.finish(hub_settings(sandbox))
    except Exception as exc:
        log.exception("embedded hub did not start")
        return EmbeddedStack(sandbox, None, f"the hub did not start ({type(exc).__name__})",
                             port)
    return EmbeddedStack(sandbox, hub, None, port)


async def onboard(stack: EmbeddedStack, *, transport: httpx.AsyncBaseTransport | None = None
                  ) -> int:
    """Issue hub secrets for every demo customer and the key keepers; returns how many were
    new. Skipped (0) when the customer count is the one recorded by the last run."""
    hub = stack.hub
    if hub is None:
        return 0
    sandbox = stack.sandbox
    manifest = sandbox.manifest
    admin = next(e for e in manifest["employees"] if e["email"] == ADMIN_EMAIL)
    cp = sandbox.counterparty_guid
    marker = hub.data_dir / ONBOARDED_FILE
    auth = PasswordLogin(ADMIN_EMAIL, str(admin["password"]))
    async with PlatformClient(sandbox.base_url, cp, auth=auth, transport=transport) as client:
        # the filter is "disabled or not", not "include disabled": count and read both
        total = sum([(await client.list_customers(is_disabled=flag, limit=1)).total
                     for flag in (False, True)])
        if _recorded(marker) == {"counterparty_guid": cp, "customers": total}:
            return 0
        items: list[dict[str, Any]] = [
            {"external_id": f"keykeeper:{b['guid']}", "branch_guid": b["guid"]}
            for b in manifest.get("branches", [])
        ]
        items.append({"external_id": f"keykeeper:{cp}", "branch_guid": None})
        for flag in (False, True):
            async for customer in client.iter_customers(is_disabled=flag):
                if customer.login:
                    items.append({"external_id": customer.login,
                                  "branch_guid": customer.branch_guid or None})
    created = 0
    async with httpx.AsyncClient(base_url=hub.base_url, transport=transport,
                                 timeout=30.0) as http:
        for start in range(0, len(items), BATCH):
            resp = await http.post(IMPORT_PATH, json={"items": items[start:start + BATCH]},
                                   headers={"Authorization": f"Bearer {hub.admin_token}"})
            resp.raise_for_status()
            created += int(resp.json().get("created", 0))
    _record(marker, {"counterparty_guid": cp, "customers": total})
    log.info("hub onboarding: %d secret(s) issued, %d item(s)", created, len(items))
    return created


def _recorded(marker: Path) -> Any:
    try:
        return json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _record(marker: Path, data: dict[str, Any]) -> None:
    private_dir(marker.parent)
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data))
    os.replace(tmp, marker)
    with contextlib.suppress(OSError):
        os.chmod(marker, 0o600)
