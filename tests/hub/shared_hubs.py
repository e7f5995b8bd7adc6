"""Hubs of one test module that share a database, master key and admin token, so one can be
crashed by the fault injector and another (restarted) take over what it left:

    shared, main_hub = shared_hubs.fixtures("crash")  # the module's two fixtures

``shared``: those settings; ``main_hub``: the module's hub that is never crashed. A test starts
the others with ``start`` (a crash point, a short stale time...)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, branches, database_master_key, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

CRASHED = 99  # the fault injector's exit code


def fixtures(name: str, **main_env: str) -> tuple[Any, Any]:
    """The module-scoped fixtures ``shared`` and ``main_hub`` (started with ``main_env``);
    ``name`` tells the module's temporary folders and admin token apart."""

    @pytest.fixture(scope="module", name="shared")
    def shared(hub_db: str | None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
        url = hub_db or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp(f'{name}-db') / 'hub.db'}"
        return {"TELLER_HUB_DATABASE_URL": url,
                "TELLER_HUB_MASTER_KEY": base64.b64encode(database_master_key(url)).decode(),
                "TELLER_HUB_ADMIN_TOKEN": f"{name}-admin-" + uuid.uuid4().hex}

    @pytest.fixture(scope="module", name="main_hub")
    def main_hub(shared: dict[str, str], sandbox: SandboxProcess,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
        hub = start_fe_hub(tmp_path_factory.mktemp(f"{name}-main"), sandbox,
                           shared["TELLER_HUB_DATABASE_URL"], **shared, **main_env)
        yield hub
        assert hub.stop() == 0, hub.log()[-3000:]

    return shared, main_hub


def start(data_dir: Any, sandbox: Any, shared: dict[str, str], **env: str) -> HubProc:
    """Another hub on the module's shared settings, its watchers off (``env``: its own)."""
    return start_fe_hub(data_dir, sandbox, shared["TELLER_HUB_DATABASE_URL"], **shared,
                        **{"TELLER_HUB_WATCH": "0", **env})


def teller_and_supervisor(hub: HubProc, sandbox: Any) -> tuple[str, dict[str, str],
                                                              dict[str, str]]:
    """(branch 0, a new teller's and a new supervisor's signed-in headers there) on ``hub``."""
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        teller = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=b0))
        sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
    return b0, teller, sup


def file_change(hub: HubProc, headers: dict[str, str], guid: str, change: dict[str, Any],
                reason: str) -> dict[str, Any]:
    """A ``customer_update`` request filed at ``hub`` (201): the request as answered."""
    with hub.client() as c:
        r = c.post("/api/v1/requests", headers=headers, json={
            "kind": "customer_update", "customer_guid": guid, "change": change,
            "reason": reason})
    assert r.status_code == 201, r.text
    return dict(r.json())


def approve_and_crash(hub: HubProc, headers: dict[str, str], req: dict[str, Any],
                      **extra: Any) -> None:
    """Approve ``req`` on a hub with a crash point: it dies before answering."""
    with hub.client() as c, pytest.raises(httpx.TransportError):
        c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
               json={"sha256": req["sha256"], **extra})
    assert hub.process.wait(15) == CRASHED


def crash_and_restart(tmp: Path, sandbox: Any, shared: dict[str, str],
                      headers: dict[str, str], req: dict[str, Any], **extra: Any) -> HubProc:
    """``req`` approved on a hub (in ``tmp / "a"``) that dies right after the decision, and
    the hub restarted in its place (``tmp / "b"``), taking over at once; the caller stops it."""
    crashing = start(tmp / "a", sandbox, shared, TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    approve_and_crash(crashing, headers, req, **extra)
    return start(tmp / "b", sandbox, shared, TELLER_HUB_EXECUTION_STALE_S="0")


def executions(hub: HubProc, headers: dict[str, str], rid: str) -> list[dict[str, Any]]:
    """The audit's execution rows of request ``rid``."""
    with hub.client() as c:
        entries = c.get("/api/v1/audit", headers=headers,
                        params={"action": "execution", "limit": 1000}).json()["entries"]
    return [e for e in entries if e["entity"] == f"request:{rid}"]
