"""The hub's shutdown closes the connection its executions share with DCM (kept open from
one execution to the next), as a bounded step; an execution the drain left running keeps
the connection it is reading its answer on (the shutdown neither waits for it nor breaks
it), and the pool is closed once that execution ends. A real hub app (its lifespan driven
here, requests through ASGI) on SQLite and PostgreSQL; the sandbox over HTTP behind a proxy
that tells which connection carried each request and when the hub closed it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dcm_seen_proxy import DcmSeenProxy
from fe_helpers import ADMIN, fe_env, new_customer, password_of
from hub_proc import PASSWORD, branches, unique_email

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import shutdown_steps
from teller_app.hub.app import create_app
from teller_app.hub.dcm_connections import DcmConnections
from teller_app.hub.files import private_dir
from teller_app.hub.serve_cmd import migrate_sqlite
from teller_app.hub.settings import HubSettings, load_settings
from teller_app.platform import PasswordLogin, PlatformClient

DRAIN_S = 1.0  # the held execution outlives it: left running
STEP = "dcm execution connections close"


@pytest.fixture()
def proxy(sandbox: SandboxProcess) -> Iterator[DcmSeenProxy]:
    gate = DcmSeenProxy(sandbox.base_url).start()
    yield gate
    gate.stop()


@pytest.fixture()
def settings(hub_db: str | None, sandbox: SandboxProcess, proxy: DcmSeenProxy,
             tmp_path: Path) -> HubSettings:
    """The hub's, its DCM behind ``proxy``; a new SQLite database migrated here (outside
    the test's event loop: migrating runs one of its own)."""
    settings = load_settings(environ=fe_env(sandbox, hub_db), overrides={
        "data_dir": private_dir(tmp_path / "hub"), "dcm_url": proxy.url,
        "shutdown_drain_s": DRAIN_S})
    if hub_db is None:
        migrate_sqlite(settings)
    return settings


async def _until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> None:
    """Poll a condition another thread (the proxy's) makes true."""
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.02)


async def _staff(http: httpx.AsyncClient, admin: str, b0: str) -> tuple[dict[str, str], ...]:
    signed_in = []
    for role in ("Teller", "Supervisor"):
        email = unique_email()
        r = await http.post("/api/v1/admin/employees", headers={
            "Authorization": f"Bearer {admin}"}, json={
            "email": email, "name": "Test Employee", "password": PASSWORD, "roles": [role],
            "branch_guid": b0, "head_office": False})
        assert r.status_code == 200, r.text
        r = await http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                                      "password": PASSWORD})
        assert r.status_code == 200, r.text
        signed_in.append({"Authorization": f"Bearer {r.json()['token']}"})
    return tuple(signed_in)


async def _file(http: httpx.AsyncClient, teller: dict[str, str], guid: str) -> dict[str, Any]:
    r = await http.post("/api/v1/requests", headers=teller, json={
        "kind": "customer_update", "customer_guid": guid, "change": {"is_disabled": True},
        "reason": "shutdown closes the connection"})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _approve(http: httpx.AsyncClient, sup: dict[str, str],
                   req: dict[str, Any]) -> httpx.Response:
    return await http.post(f"/api/v1/requests/{req['id']}/approve", headers=sup,
                           json={"sha256": req["sha256"]}, timeout=60)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_shutdown_closes_the_shared_connection_after_a_left_execution_is_read(
        settings: HubSettings, sandbox: SandboxProcess, proxy: DcmSeenProxy,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELLER_HUB_WATCH", "0")
    admin = settings.admin_token.get_secret_value() if settings.admin_token else "exec-admin"
    app = create_app(settings, admin_token=admin)
    b0 = branches(sandbox)[0]
    first_guid, held_guid = [await asyncio.to_thread(new_customer, sandbox, b0)
                             for _ in range(2)]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        async with app.router.lifespan_context(app):
            teller, sup = await _staff(http, admin, b0)
            r = await _approve(http, sup, await _file(http, teller, first_guid))
            assert r.status_code == 200 and r.json()["state"] == "applied", r.text
            [first] = proxy.writes_to(first_guid)
            # kept open for the next execution, not closed with the execution's client
            assert first.connection not in proxy.closed_by_client

            held = await _file(http, teller, held_guid)
            proxy.hold(held_guid)  # DCM applies it, its answer is withheld
            approving = asyncio.ensure_future(_approve(http, sup, held))
            await _until(proxy.held.is_set, "the held write's answer")
        # the shutdown is over: the execution was left (the drain's time ran out), the close
        # did not overrun, and the connection the execution reads on is still open
        assert not approving.done()
        assert STEP not in shutdown_steps.overran_steps()
        [write] = proxy.writes_to(held_guid)
        assert write.connection == first.connection  # the second execution reused it
        assert write.connection not in proxy.closed_by_client
        proxy.release()
        r = await asyncio.wait_for(approving, 30)
        assert r.status_code == 200 and r.json()["state"] == "applied", r.text
    # its answer read, the pool is closed: the hub closes the connection
    await _until(lambda: write.connection in proxy.closed_by_client, "the connection closed")
    assert app.state.four_eyes.executor.connections.closed


@pytest.mark.asyncio
async def test_a_left_execution_goes_on_after_the_close_and_a_late_one_has_its_own(
        sandbox: SandboxProcess, proxy: DcmSeenProxy) -> None:
    """An execution the drain left keeps every step it still has to take after the
    shutdown's close (a refusal there ended an approved request "failed" because this hub
    was stopping); the pool closes with its client. A client made after that has a
    connection of its own, closed with it (nothing left open, nothing refused)."""
    connections = DcmConnections()

    def client() -> PlatformClient:
        auth = PasswordLogin(ADMIN, password_of(sandbox, ADMIN))
        return PlatformClient(proxy.url, sandbox.counterparty_guid, auth=auth, timeout=10.0,
                              transport=connections.transport(proxy.url))

    left = client()
    await left.login()  # over a connection of the pool
    sign_in = proxy.requests[-1]
    await connections.close()  # the shutdown's step, while ``left`` is still running
    assert not connections.closed
    await left.list_branches()  # its next step: taken, on the same connection
    assert proxy.requests[-1].connection == sign_in.connection
    assert sign_in.connection not in proxy.closed_by_client
    await left.aclose()  # its end: the pool closes
    await _until(lambda: sign_in.connection in proxy.closed_by_client, "the pool closed")
    assert connections.closed
    late = client()
    await late.login()
    own = proxy.requests[-1].connection
    assert own != sign_in.connection
    await late.aclose()
    await _until(lambda: own in proxy.closed_by_client, "the late client's own closed")
