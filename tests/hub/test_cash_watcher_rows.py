"""The cash watcher acts only on the rows that meet its filters, and reads every row that
joins its list while it pages (a fresh hub database, SQLite and PostgreSQL; the real DCM).

* §3.8 names the payments list's filters only in words: a server may know neither spelling
  the client sends. Then DCM answers every payment it has; the first pass (which starts at
  its own clock) must not examine the bank's history (an alert per old cash payment).
* DCM lists by creation while the watcher filters by update: a draft created before the
  rows already read and confirmed while the pass pages joins the list behind the offset."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import httpx
import pytest
import sqlalchemy as sa
from cash_watching import ReaderThrough
from fe_helpers import ADMIN, password_of
from migrated_db import fresh_database
from pydantic import SecretStr
from till_helpers import customer

from teller_app.core.cash import find_processing_account
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.cash_watcher import CashWatcher
from teller_app.hub.db import make_engine
from teller_app.hub.fe_tables import alerts
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy
from teller_app.platform.models import NewPayment

_LIST = re.compile(r"/api/v1/counterparty/[^/]+/(branch/[^/]+/)?payments/?$")
PAGING = ("offset", "limit", "order")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


class PaymentsLists(httpx.AsyncBaseTransport):
    """The real transport. ``blind``: the payments list's filters never reach DCM (a server
    that knows none of their names); ``after_first_page``: run once the first list page of
    a pass has been answered (another desk writing while the watcher pages)."""

    def __init__(self, blind: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.blind = blind
        self.after_first_page: Callable[[], Awaitable[None]] | None = None
        self.rows_listed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        listing = request.method == "GET" and bool(_LIST.search(request.url.path))
        if listing and self.blind:
            kept = [(k, v) for k, v in request.url.params.multi_items() if k in PAGING]
            request.url = request.url.copy_with(params=kept)
        response = await self.inner.handle_async_request(request)
        if not listing:
            return response
        body = await response.aread()
        self.rows_listed += len(json.loads(body).get("payments") or [])
        act, self.after_first_page = self.after_first_page, None
        if act is not None:
            await act()
        # the body is decoded now: it goes on without the server's gzip encoding and length
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers, content=body,
                              request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _state(url: str, sandbox: SandboxProcess) -> HubState:
    settings = HubSettings(database_url=url, dcm_url=sandbox.base_url,
                           dcm_counterparty=sandbox.counterparty_guid, dcm_tech_login=ADMIN,
                           dcm_tech_password=SecretStr(password_of(sandbox, ADMIN)))
    return cast(HubState, SimpleNamespace(settings=settings, engine=make_engine(settings)))


async def _alerted(state: HubState) -> set[str]:
    async with state.engine.connect() as conn:
        rows = (await conn.execute(sa.select(alerts.c.detail))).scalars().all()
    return {str(json.loads(d).get("payment_guid")) for d in rows}


class Desk:
    """A cash desk working on DCM directly (the hub never asked): drafts and confirms."""

    def __init__(self, dcm: PlatformClient, sandbox: SandboxProcess, branch: str,
                 account: str) -> None:
        self.dcm, self.sandbox, self.branch, self.account = dcm, sandbox, branch, account

    async def draft(self, amount: str) -> str:
        asset = self.sandbox.manifest["asset"]
        cats = {c.name: c.guid for c in await self.dcm.list_categories()}
        return await self.dcm.create_payment(NewPayment(
            amount=Decimal(amount), asset_code=asset["code"], asset_issuer=asset["issuer"],
            category_guid=cats["04"], purpose="past the hub",
            sender_id=await find_processing_account(self.dcm, self.branch),
            receiver_id=self.account), branch_guid=self.branch)

    async def confirm(self, guid: str) -> None:
        await self.dcm.confirm_payment(guid, branch_guid=self.branch)

    async def deposit(self, amount: str) -> str:
        guid = await self.draft(amount)
        await self.confirm(guid)
        return guid


def _scenario(url: str, sandbox: SandboxProcess, transport: PaymentsLists,
              body: Callable[[CashWatcher, Desk, HubState], Awaitable[None]]) -> None:
    branch = sandbox.manifest["branches"][0]["guid"]
    _, account = customer(sandbox, branch)

    async def run() -> None:
        state = _state(url, sandbox)
        reader = ReaderThrough(state, transport, RetryPolicy())  # reads retried as the hub does
        try:
            async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                      auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN))
                                      ) as dcm:
                await body(CashWatcher(state, reader), Desk(dcm, sandbox, branch, account),
                           state)
        finally:
            await reader.close()
            await state.engine.dispose()

    asyncio.run(run())


@pytest.mark.slow
def test_a_server_that_ignores_the_filters_floods_nothing(db_url: str,
                                                          sandbox: SandboxProcess) -> None:
    transport = PaymentsLists(blind=True)

    async def body(watcher: CashWatcher, desk: Desk, state: HubState) -> None:
        earlier = await desk.deposit("11.00")  # before the watcher ever ran
        assert await watcher.tick() == 0  # the first pass: from its own clock on
        # DCM answered its whole history, confirmed cash among it (the seeded deposits)
        assert transport.rows_listed > 40
        assert await _alerted(state) == set()
        later = await desk.deposit("12.00")
        assert await watcher.tick() == 1
        assert await _alerted(state) == {later}
        assert earlier not in watcher.settled and later in watcher.settled

    _scenario(db_url, sandbox, transport, body)


@pytest.mark.slow
def test_a_draft_confirmed_while_the_watcher_pages_is_read_in_that_pass(
        db_url: str, sandbox: SandboxProcess) -> None:
    transport = PaymentsLists()

    async def body(watcher: CashWatcher, desk: Desk, state: HubState) -> None:
        assert await watcher.tick() == 0  # the cursor starts now
        early = await desk.draft("21.00")  # listed first by creation, once confirmed
        rest = [await desk.deposit(f"{22 + n}.00") for n in range(3)]

        async def confirm_early() -> None:
            await desk.confirm(early)

        watcher.page = 2
        transport.after_first_page = confirm_early
        assert await watcher.tick() == 4
        assert await _alerted(state) == {early, *rest}

    _scenario(db_url, sandbox, transport, body)
