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
from typing import Any

import httpx
import pytest
from conftest import new_customer, password_of

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError

TELLERS = 20
SECONDS = float(os.environ.get("TELLER_LOAD_SECONDS", "20"))
PREFIXES = ["Ко", "Ше", "Бо", "Мел", "Tar", "Iv", "Пе", "Ли"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


async def teller(sb: SandboxProcess, n: int, deadline: float, latencies: list[float],
                 errors: list[str], created: list[str]) -> int:
    email = ["teller.kyiv@demo.bank", "teller.lviv@demo.bank"][n % 2]
    branch = sb.manifest["branches"][n % 2]
    rng = random.Random(n)
    done = 0
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(email, password_of(sb, email))) as client:
        cash = CashService(client, branch["guid"], branch["processing_account_guid"],
                           Decimal("10000.00"))

        async def timed(awaitable: Any) -> Any:
            started = time.perf_counter()
            try:
                return await awaitable
            except PlatformError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                return None
            finally:
                latencies.append(time.perf_counter() - started)

        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.6:
                page = await timed(client.list_customers(search_string=rng.choice(PREFIXES),
                                                         limit=50))
                if page and page.customers:
                    guid = rng.choice(page.customers).wallet_user_guid
                    await timed(client.get_customer(guid))
                    await timed(client.get_customer_accounts(guid))
            elif roll < 0.8:
                new = new_customer(sb, branch["guid"])
                made = await timed(client.create_customer(new))
                if made is not None:
                    created.append(new.login or "")
            else:
                new = new_customer(sb, branch["guid"])
                made = await timed(client.create_customer(new))
                if made is not None:
                    created.append(new.login or "")
                    draft = await timed(cash.create(CashKind.DEPOSIT, made.customer_guid,
                                                    "10.00"))
                    if draft is not None:
                        await timed(cash.confirm(draft.payment_guid))
            done += 1
    return done


@pytest.mark.slow
def test_twenty_tellers_on_loopback(fresh_sandbox: SandboxProcess) -> None:
    sb = fresh_sandbox
    latencies: list[float] = []
    errors: list[str] = []
    created: list[str] = []

    async def run() -> int:
        deadline = time.monotonic() + SECONDS
        counts = await asyncio.gather(*(teller(sb, n, deadline, latencies, errors, created)
                                        for n in range(TELLERS)))
        return sum(counts)

    actions = asyncio.run(run())
    conservation = httpx.get(f"{sb.base_url}/__sim/conservation", timeout=30,
                             headers={"X-Sim-Admin": sb.manifest["sim_admin_token"]}).json()

    async def exactly_once() -> list[str]:
        email = "admin@demo.bank"
        async with PlatformClient(sb.base_url, sb.counterparty_guid,
                                  auth=PasswordLogin(email, password_of(sb, email))) as c:
            wrong = []
            for start in range(0, len(created), 100):
                batch = created[start:start + 100]
                page = await c.list_customers(logins=batch, limit=1000)
                seen = [x.login for x in page.customers]
                wrong += [login for login in batch if seen.count(login) != 1]
            return wrong

    wrong = asyncio.run(exactly_once())
    p50, p95, p99 = (percentile(latencies, p) * 1000 for p in (0.5, 0.95, 0.99))
    print(f"\nload: {TELLERS} tellers x {SECONDS:.0f}s: {actions} actions, {len(latencies)} "
          f"calls, {len(errors)} errors, p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, "
          f"{len(created)} customers created, money conserved: {conservation.get('conserved')}")
    assert errors == [], errors[:5]
    assert conservation["conserved"] is True
    assert wrong == []
    assert actions > TELLERS
