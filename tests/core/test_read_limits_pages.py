"""The cash dialog's limits advice reads the customer's confirmed outgoing payments of the
longest window (a year) 1 000 a call, not 200: a busy customer's year is a few calls. The sums
per period stay right: a payment exactly at a window's start is outside it (the windows are
``> now - days``), one of another asset never counts, and a payment the list shows twice
(a confirm landing mid-list while it is paged) counts once.

Against a private sandbox over HTTP: one real withdrawal is made through the API, and its row
copied in the sandbox's database at chosen times (thousands of confirms through the API would
take minutes). The payments-list calls are counted by a transport that forwards each request
to the sandbox (observes only)."""

from __future__ import annotations

import asyncio
import math
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from test_approvals_helpers import SUPERVISOR, TELLER, client_for, employee, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.cash_checks import read_limits
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import PlatformClient
from teller_app.platform.auth import PasswordLogin
from teller_app.platform.models import NewLimit

PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}
BULK = 2400  # copies of the withdrawal spread over the year (1.00 each)


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """A private sandbox: the test writes payment rows into its database."""
    proc = start_sandbox(tmp_path_factory.mktemp("limits-pages"))
    yield proc
    proc.stop()


class Counting(httpx.AsyncBaseTransport):
    """Forwards each request to the sandbox and counts the payments-list calls;
    ``after_list`` runs once after the first list call is answered."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.lists = 0
        self.after_list: Callable[[], None] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        await response.aread()
        if request.method == "GET" and request.url.path.endswith("/payments"):
            self.lists += 1
            hook, self.after_list = self.after_list, None
            if hook is not None:
                hook()
        return response

    async def aclose(self) -> None:
        await self.real.aclose()


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Rows:
    """Copies of a real confirmed withdrawal's row, at chosen times, amounts and assets."""

    def __init__(self, sandbox: SandboxProcess, model_guid: str) -> None:
        self.db = sqlite3.connect(Path(sandbox.data_dir) / "sandbox.db")
        self.model = model_guid
        self.cols = [r[1] for r in self.db.execute("PRAGMA table_info(payments)")
                     if r[1] != "seq"]

    def copy(self, when: datetime, amount: Decimal, asset: str | None = None,
             created: datetime | None = None) -> None:
        values = {"guid": str(uuid.uuid4()), "created_at": _stamp(created or when),
                  "updated_at": _stamp(when), "confirmed_at": _stamp(when),
                  "amount": int(amount * 100)}
        if asset is not None:
            values["asset_code"] = asset
        chosen = [c for c in self.cols if c in values]
        select = ",".join("?" if c in values else c for c in self.cols)
        params = [values[c] for c in self.cols if c in values]
        assert len(chosen) == len(params)
        with self.db:
            self.db.execute(f"INSERT INTO payments ({','.join(self.cols)}) SELECT {select} "
                            "FROM payments WHERE guid = ?", [*params, self.model])

    def close(self) -> None:
        self.db.close()


async def _customer_with_a_withdrawal(
    sandbox: SandboxProcess, transport: Counting,
) -> tuple[PlatformClient, str, str, str]:
    """(teller's client, customer, account, the confirmed 1.00 withdrawal's GUID), with day,
    week, month and year limits of the customer's own."""
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                            auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]),
                            transport=transport)
    await client.login()
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("100000.00"))
    customer = await new_customer(client, sandbox)
    deposit = await service.create(CashKind.DEPOSIT, customer, "500.00")
    await service.confirm(deposit.payment_guid)
    out = await service.create(CashKind.WITHDRAWAL, customer, "1.00")
    await service.confirm(out.payment_guid)
    account = (await client.get_customer_accounts(customer))[0]
    wire = account.assets[0]
    sup = await client_for(sandbox, SUPERVISOR)
    try:
        for period in PERIODS:
            await sup.set_customer_amount_limit(NewLimit(
                customer_guid=customer, account_type_guid=account.wallet_account_guid,
                asset_code=wire.stellar_code, asset_issuer=wire.stellar_issuer,
                max=Decimal("1000000"), period=period))
    finally:
        await sup.aclose()
    return client, customer, account.wallet_account_guid, out.payment_guid


def _expected(stamps: list[tuple[datetime, Decimal]], now: datetime) -> dict[str, Decimal]:
    return {period: sum((a for t, a in stamps if t > now - timedelta(days=days)), Decimal(0))
            for period, days in PERIODS.items()}


def test_a_year_of_withdrawals_is_read_1000_a_call_and_summed_per_period(
    own_sandbox: SandboxProcess,
) -> None:
    async def scenario() -> None:
        seen = Counting()
        client, customer, account, model = await _customer_with_a_withdrawal(own_sandbox, seen)
        rows = Rows(own_sandbox, model)
        try:
            real = await client.get_payment(model)
            assert real.updated_at is not None
            now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
            counted: list[tuple[datetime, Decimal]] = [(real.updated_at, Decimal("1.00"))]
            listed = 1  # rows the list returns: the real one, and each copy below
            for i in range(BULK):  # every 3.5 hours back from 2 days ago: ~350 days
                when = now - timedelta(days=2, minutes=210 * i)
                rows.copy(when, Decimal("1.00"))
                counted.append((when, Decimal("1.00")))
                listed += 1
            for when, amount in (
                    (now - timedelta(days=1), Decimal("7.00")),  # exactly the day's start
                    (now - timedelta(days=1) + timedelta(seconds=1), Decimal("3.00")),
                    (now - timedelta(days=7), Decimal("17.00")),  # exactly the week's start
                    (now - timedelta(days=365) + timedelta(seconds=1), Decimal("13.00"))):
                rows.copy(when, amount)
                counted.append((when, amount))
                listed += 1
            rows.copy(now - timedelta(days=365), Decimal("11.00"))  # listed, never counted
            listed += 1
            rows.copy(now - timedelta(hours=1), Decimal("50.00"), asset="EUR")  # other asset
            listed += 1
            asset = own_sandbox.manifest["asset"]
            seen.lists = 0
            limits = await read_limits(client, customer, "", [account], asset["code"],
                                       asset["stellar_code"], now=now)
            assert seen.lists == math.ceil(listed / 1000) == 3  # 13 at 200 a call
            spent = {u.period: u.spent for u in limits.periods}
            want = _expected(counted, now)
            assert spent == want
            assert want["day"] == Decimal("4.00")  # the real 1.00 and 3.00; not the 7.00
            assert want["week"] - want["day"] == Decimal("7.00") + sum(
                (a for t, a in counted[1:BULK + 1] if t > now - timedelta(days=7)),
                Decimal(0))  # the 17.00 exactly at the week's start is not in it
            assert want["year"] == Decimal(BULK + 1) + Decimal("40.00")  # not 11, not 50
        finally:
            rows.close()
            await client.aclose()

    asyncio.run(scenario())


def test_a_row_the_list_shows_twice_counts_once(own_sandbox: SandboxProcess) -> None:
    """A payment confirmed while the list is paged, created before the rows read so far (a
    draft confirmed late), moves each later row one place on: the first page's last row comes
    again at the top of the second, and must not count twice."""

    async def scenario() -> None:
        seen = Counting()
        client, customer, account, model = await _customer_with_a_withdrawal(own_sandbox, seen)
        rows = Rows(own_sandbox, model)
        try:
            now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
            for i in range(1500):
                rows.copy(now - timedelta(days=2, minutes=30 * i), Decimal("1.00"))
            old = now - timedelta(days=200)
            seen.after_list = lambda: rows.copy(now - timedelta(seconds=30), Decimal("5.00"),
                                                created=old)
            asset = own_sandbox.manifest["asset"]
            seen.lists = 0
            limits = await read_limits(client, customer, "", [account], asset["code"],
                                       asset["stellar_code"], now=now)
            assert seen.lists == 2
            spent = {u.period: u.spent for u in limits.periods}
            # the real 1.00 and the 1 500 copies, each once (the 5.00 landed at the top, a
            # page already read: the advice is as of the read's start, as any read is)
            assert spent["year"] == Decimal("1501.00")
            assert spent["day"] == Decimal("1.00")
        finally:
            rows.close()
            await client.aclose()

    asyncio.run(scenario())
