"""An approved change is executed once, however slow DCM is: a running execution renews its
marker, so another process's resume loop never takes a live one over; a refused write that
an earlier execution already made is "applied", not "failed". Real sandbox and hub
database (SQLite and PostgreSQL); the slow answer is injected in front of the real sandbox.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
import sqlalchemy as sa
from cash_request_helpers import authorized_cash_draft
from fe_db import db_url
from fe_helpers import new_customer, password_of, payment_status, read_customer
from hub_proc import HubProc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from staffed_hub import Staffed, staffed_hub
from till_helpers import _run

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import commands
from teller_app.hub.commands import Command
from teller_app.hub.db import now
from teller_app.hub.execute import Executor, Reader, _bank_auth
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState
from teller_app.platform import PasswordLogin, PlatformClient

STALE_S = 2  # this test's "another process may take over after" (renewed every 0.5 s)


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    with staffed_hub(tmp_path_factory.mktemp("lease-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        yield staff


class HeldPut(httpx.AsyncBaseTransport):
    """The real sandbox behind a gate: a customer PUT waits until released (a slow DCM)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and "/customers/" in request.url.path:
            self.arrived.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class SlowDcmExecutor(Executor):
    """The hub's executor (Mode B, the bank key) whose DCM answers through ``HeldPut``."""

    def __init__(self, state: HubState, gate: HeldPut) -> None:
        super().__init__(state, Reader(state))
        self.gate = gate

    def _client(self, cmd: Command, session_token: str | None) -> PlatformClient:
        assert cmd.checker is not None
        s = self.state.settings
        return PlatformClient(s.dcm_url, s.dcm_counterparty, auth=_bank_auth(self.state,
                              cmd.checker), timeout=30.0, transport=self.gate)


def _state(hub: HubProc, sandbox: SandboxProcess, engine: AsyncEngine) -> HubState:
    bank = sandbox.manifest["bank_jwt"]
    settings = HubSettings(dcm_url=sandbox.base_url, dcm_counterparty=sandbox.counterparty_guid,
                           bank_key_file=Path(bank["private_key_pem"]),
                           bank_key_kid=str(bank["kid"]), dcm_tech_login="admin@demo.bank")
    # sealed_cache: the executor's branch-move hook forgets cached owners (none here)
    return cast(HubState, SimpleNamespace(settings=settings, engine=engine, sealed_cache=None))


async def _approved(engine: AsyncEngine, w: Staffed, guid: str) -> Command:
    """Filed through the hub, then decided here (the executor under test runs it)."""
    r = w.http.post("/api/v1/requests", headers=w.teller, json={
        "kind": "customer_update", "customer_guid": guid, "change": {"is_disabled": True},
        "reason": "lease test"})
    assert r.status_code == 201, r.text
    cmd = await commands.get(engine, r.json()["id"])
    assert cmd is not None
    from teller_app.hub.models import HubEmployee

    sup = HubEmployee(w.sup_email, "Sup", ("Supervisor",), w.b0, False, "hub")
    decided = await commands.decide(engine, cmd, sup, approve=True, sha256=cmd.sha256,
                                    comment="", desk_id="lease-test")
    assert decided is not None and decided.execution_started_at
    return decided


async def _marker(engine: AsyncEngine, command_id: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text(
            "SELECT execution_started_at FROM commands WHERE id = :i"), {"i": command_id}
        )).scalar_one())


async def _until(check: Any, timeout: float = 20.0) -> None:
    """Poll an async condition (a lease is a matter of elapsed time)."""
    end = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < end, "condition not reached"
        await asyncio.sleep(0.1)


@pytest.mark.slow
def test_a_slow_execution_is_never_taken_over(world: Staffed, sandbox: SandboxProcess,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELLER_HUB_EXECUTION_STALE_S", str(STALE_S))
    w = world
    guid = new_customer(sandbox, w.b0)

    async def run() -> tuple[Command, int | None]:
        engine = create_async_engine(db_url(w.hub))
        other = create_async_engine(db_url(w.hub))  # another hub process's view
        gate = HeldPut()
        executor = SlowDcmExecutor(_state(w.hub, sandbox, engine), gate)
        try:
            cmd = await _approved(engine, w, guid)
            first = cmd.execution_started_at
            assert first is not None
            running = asyncio.ensure_future(executor.execute(cmd, None))
            await asyncio.wait_for(gate.arrived.wait(), 20)
            # the PUT is in flight for longer than the stale time...
            async def outlived() -> bool:
                return now() - first > STALE_S and await _marker(engine, cmd.id) > first
            await _until(outlived)
            # ...yet another process's resume finds nothing to take over
            taken = await commands.claim_execution(other, cmd.id, now() - STALE_S)
            gate.release.set()
            return await running, taken
        finally:
            gate.release.set()
            await executor.reader.close()
            await engine.dispose()
            await other.dispose()

    done, taken = _run(run())
    assert taken is None
    assert done.state == "applied" and done.result == "applied", done
    assert read_customer(sandbox, guid).is_disabled is True
    trail = w.http.get("/api/v1/audit", headers=w.sup, params={
        "action": "execution", "limit": 1000}).json()["entries"]
    assert [e["entity"] for e in trail].count(f"request:{done.id}") == 1


def test_a_renewed_marker_is_refused_to_a_late_renewer(world: Staffed,
                                                       sandbox: SandboxProcess) -> None:
    """Once another process took an execution over, the first one's renewals stop."""
    w = world
    guid = new_customer(sandbox, w.b0)

    async def run() -> tuple[int | None, int | None, int | None]:
        engine = create_async_engine(db_url(w.hub))
        try:
            cmd = await _approved(engine, w, guid)
            first = cmd.execution_started_at
            assert first is not None
            async with engine.begin() as conn:  # the first executor went quiet long ago
                await conn.execute(sa.text(
                    "UPDATE commands SET execution_started_at = :t WHERE id = :i"),
                    {"t": first - 600, "i": cmd.id})
            taken = await commands.claim_execution(engine, cmd.id, now() - 60)
            late = await commands.renew_execution(engine, cmd.id, first - 600)
            again = await commands.claim_execution(engine, cmd.id, now() - 60)
            await commands.finish(engine, cmd, applied=False, result="test cleanup",
                                  actor=w.sup_email)
            return taken, late, again
        finally:
            await engine.dispose()

    taken, late, again = _run(run())
    assert taken is not None  # stale: taken over
    assert late is None       # the old executor's renewal no longer matches
    assert again is None      # and the new holder's execution is not stale


def test_a_refused_confirm_already_made_counts_as_applied(world: Staffed,
                                                          sandbox: SandboxProcess) -> None:
    """An earlier execution confirmed the payment (its answer never reached the hub): the
    approval's confirm is refused by DCM, and the hub reads DCM rather than saying failed."""
    w = world
    customer, payment = authorized_cash_draft(w.http, w.teller, w.sup, sandbox, w.b0,
                                              "12000.00")
    r = w.http.post("/api/v1/requests", headers=w.teller, json={
        "kind": "cash_confirm", "customer_guid": customer, "reason": "cash in",
        "change": {"payment_guid": payment, "amount": "12000.00", "branch_guid": w.b0}})
    assert r.status_code == 201, r.text
    req = r.json()

    async def confirm_directly() -> None:
        admin = "admin@demo.bank"
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(admin, password_of(sandbox, admin))) as c:
            await c.confirm_payment(payment, branch_guid=w.b0)

    _run(confirm_directly())
    assert payment_status(sandbox, payment).endswith("CONFIRMED")
    done = w.http.post(f"/api/v1/requests/{req['id']}/approve", headers=w.sup,
                       json={"sha256": req["sha256"]})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "applied", done.json()
    assert done.json()["result"] == "applied (already on DCM)"
