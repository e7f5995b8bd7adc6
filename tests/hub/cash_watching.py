"""Cash watcher passes driven by a test (the hub's own watcher off): a ``CashWatcher`` on the
test's loop over the hub's database, reading DCM through ``CustomerReads`` (the real
transport; customer reads fail on demand). Also an over-threshold deposit draft's
``cash_confirm`` request filed and approved, as a teller and a supervisor do it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import httpx
import sqlalchemy as sa
from fe_db import db_url
from fe_helpers import ADMIN, password_of
from hub_proc import HubProc
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.cash_watcher import CashWatcher
from teller_app.hub.execute import Reader
from teller_app.hub.fe_tables import alerts, leases
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState
from teller_app.platform import (
    PasswordLogin,
    PlatformClient,
    RetryPolicy,
)

HOLDER = "test-" + uuid.uuid4().hex  # the lease's holder in every pass a test drives


class CustomerReads(httpx.AsyncBaseTransport):
    """The real transport; DCM's customers list answers 503 while ``failing``. Notes the
    GUIDs each customers read names (one read per customer per pass is checked)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.failing = False
        self.reads: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.rstrip("/").endswith("/customers"):
            self.reads.append(str(request.url.params))
            if self.failing:
                return httpx.Response(503, json={"error": "unavailable"}, request=request)
        return await self.inner.handle_async_request(request)

    def read_of(self, customer: str) -> int:
        return sum(customer in r for r in self.reads)

    async def aclose(self) -> None:
        await self.inner.aclose()


class ReaderThrough(Reader):
    """The hub's reader (technical account), its client on ``transport``."""

    def __init__(self, state: HubState, transport: httpx.AsyncBaseTransport,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(state)
        self.transport = transport
        # by default a failed read is not tried again: a pass lasts well under a second
        self.retry = retry or RetryPolicy(attempts=1)

    async def client(self) -> PlatformClient:
        if self._client is None:
            s = self.state.settings
            assert s.dcm_tech_password is not None
            self._client = PlatformClient(
                s.dcm_url, s.dcm_counterparty, transport=self.transport, retry=self.retry,
                auth=PasswordLogin(s.dcm_tech_login, s.dcm_tech_password.get_secret_value()))
        return self._client


@dataclass
class Watching:
    state: HubState
    reader: ReaderThrough
    dcm: CustomerReads

    def watcher(self) -> CashWatcher:
        """A cash watcher with empty memory (a process starting, or taking over)."""
        watcher = CashWatcher(self.state, self.reader)
        watcher.holder = HOLDER
        return watcher

    async def alert(self, payment: str) -> dict[str, Any] | None:
        async with self.state.engine.connect() as conn:
            rows = (await conn.execute(sa.select(alerts.c.detail))).scalars().all()
        found = [json.loads(d) for d in rows if json.loads(d).get("payment_guid") == payment]
        assert len(found) <= 1, found
        return found[0] if found else None

    async def cursor(self) -> datetime:
        async with self.state.engine.connect() as conn:
            value = (await conn.execute(sa.select(leases.c.cursor).where(
                leases.c.name == "cash_watcher"))).scalar()
        return datetime.fromisoformat(str(value))


def run_watching(hub: HubProc, sandbox: SandboxProcess,
                 body: Callable[[Watching], Awaitable[None]]) -> None:
    """Run ``body`` on one loop with ``hub``'s database and DCM (the sandbox itself, not the
    hub's own DCM link) through ``CustomerReads``."""
    async def run() -> None:
        settings = HubSettings(dcm_url=sandbox.base_url,
                               dcm_counterparty=sandbox.counterparty_guid,
                               dcm_tech_login=ADMIN,
                               dcm_tech_password=SecretStr(password_of(sandbox, ADMIN)))
        engine = create_async_engine(db_url(hub))
        state = cast(HubState, SimpleNamespace(settings=settings, engine=engine))
        transport = CustomerReads()
        reader = ReaderThrough(state, transport)
        try:
            await body(Watching(state, reader, transport))
        finally:
            await reader.close()
            await engine.dispose()
    asyncio.run(run())


def approved_cash_confirm(http: httpx.Client, teller: dict[str, str], sup: dict[str, str],
                          desk: str, branch: str, customer_guid: str, payment_guid: str,
                          amount: str) -> dict[str, Any]:
    """The request as the approval answered, for an over-threshold deposit draft: the teller
    (till open at ``desk``) asked, filed a ``cash_confirm`` request and the supervisor
    approved it, so the hub's execution ran before the answer."""
    at_desk = {**teller, "X-Desk-ID": desk}
    r = http.post("/api/v1/cash/authorize", headers=at_desk,
                  json={"payment_guid": payment_guid})
    assert r.status_code == 200 and r.json()["decision"] == "needs_approval", r.text
    r = http.post("/api/v1/requests", headers=at_desk, json={
        "kind": "cash_confirm", "customer_guid": customer_guid, "reason": "cash in",
        "change": {"payment_guid": payment_guid, "amount": amount, "branch_guid": branch}})
    assert r.status_code == 201, r.text
    done = http.post(f"/api/v1/requests/{r.json()['id']}/approve",
                     headers={**sup, "X-Desk-ID": desk}, json={"sha256": r.json()["sha256"]})
    assert done.status_code == 200, done.text
    return dict(done.json())
