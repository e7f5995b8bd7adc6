"""The embedded default, wired: the stack's start is ``embedded_start`` (re-exported here);
this module onboards it.

Onboarding (``onboard``): the hub gets a secret for every existing demo customer (external id
= login) and for the key keepers (``keykeeper:<branch>``, ``keykeeper:<counterparty>``), through
its admin endpoint. Idempotent; skipped when nothing changed since the last run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import httpx

from teller_app.core.embedded_hub import private_dir
from teller_app.core.embedded_start import (
    ADMIN_EMAIL,
    EmbeddedStack,
    hub_dir,
    hub_settings,
    start_embedded,
)
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.transport import client_options

__all__ = ["EmbeddedStack", "hub_dir", "hub_settings", "onboard", "start_embedded"]
log = logging.getLogger("teller_app.core.embedded")
ONBOARDED_FILE = "onboarded.json"
IMPORT_PATH = "/api/v1/admin/secrets/import"
BATCH = 500


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
    # client_options: the process's shared TLS context (building one costs ~30 ms of CPU)
    async with httpx.AsyncClient(base_url=hub.base_url, transport=transport, timeout=30.0,
                                 **client_options(hub.base_url, None)) as http:
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
