"""Load: 20 simulated tellers on loopback against a private sandbox for a bounded time
(``TELLER_LOAD_SECONDS``, default 20; the issue's figure is 60). Each searches, opens cards,
creates customers and makes cash deposits. Goal: 0 errors, money conserved, every created
customer there exactly once. Prints p50/p95/p99."""

from __future__ import annotations

import asyncio
import os
import random
import time
from decimal import Decimal

import pytest
from load_helpers import (
    PREFIXES,
    TELLERS,
    Meter,
    all_tellers,
    conservation,
    customers_exactly_once,
    p50_95_99_ms,
)
from reliability_helpers import new_customer, password_of

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient

SECONDS = float(os.environ.get("TELLER_LOAD_SECONDS", "20"))


async def teller(sb: SandboxProcess, n: int, deadline: float, meter: Meter,
                 created: list[str]) -> int:
    email = ["teller.kyiv@demo.bank", "teller.lviv@demo.bank"][n % 2]
    branch = sb.manifest["branches"][n % 2]
    rng = random.Random(n)
    timed = meter.timed
    done = 0
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(email, password_of(sb, email))) as client:
        cash = CashService(client, branch["guid"], branch["processing_account_guid"],
                           Decimal("10000.00"))
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.6:
                page = await timed("search", client.list_customers(
                    search_string=rng.choice(PREFIXES), limit=50))
                if page and page.customers:
                    guid = rng.choice(page.customers).wallet_user_guid
                    await timed("card", client.get_customer(guid))
                    await timed("accounts", client.get_customer_accounts(guid))
            elif roll < 0.8:
                new = new_customer(sb, branch["guid"])
                made = await timed("create", client.create_customer(new))
                if made is not None:
                    created.append(new.login or "")
            else:
                new = new_customer(sb, branch["guid"])
                made = await timed("create", client.create_customer(new))
                if made is not None:
                    created.append(new.login or "")
                    draft = await timed("cash", cash.create(CashKind.DEPOSIT,
                                                            made.customer_guid, "10.00"))
                    if draft is not None:
                        await timed("cash", cash.confirm(draft.payment_guid))
            done += 1
    return done


@pytest.mark.slow
def test_twenty_tellers_on_loopback(fresh_sandbox: SandboxProcess) -> None:
    sb = fresh_sandbox
    meter = Meter()
    created: list[str] = []
    deadline = time.monotonic() + SECONDS
    actions = asyncio.run(all_tellers(lambda n: teller(sb, n, deadline, meter, created)))
    money = conservation(sb)
    wrong = asyncio.run(customers_exactly_once(sb, created))
    latencies, errors = meter.every(), meter.errors
    p50, p95, p99 = p50_95_99_ms(latencies)
    print(f"\nload: {TELLERS} tellers x {SECONDS:.0f}s: {actions} actions, {len(latencies)} "
          f"calls, {len(errors)} errors, p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, "
          f"{len(created)} customers created, money conserved: {money.get('conserved')}")
    assert errors == [], errors[:5]
    assert money["conserved"] is True
    assert wrong == []
    assert actions > TELLERS
