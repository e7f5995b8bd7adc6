"""kill -9 in the middle of work: a full sync resumes from its stored cursor with nothing
lost and no duplicates; customers being created are each on the platform exactly once
(or, for the one in flight, at most once)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from reliability_helpers import new_customer, password_of

from teller_app.cache import BranchCache, bulk_load
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.sync import SyncEngine
from teller_app.platform import PasswordLogin, PlatformClient

ADMIN = "admin@demo.bank"
TELLER = "teller.kyiv@demo.bank"

SYNC_CHILD = textwrap.dedent("""
    import asyncio, sys
    import teller_app.core.sync as sync
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.platform import PasswordLogin, PlatformClient
    sync.PROGRESS_INTERVAL = 0
    url, cp, email, password, path, key = sys.argv[1:7]

    async def main():
        client = PlatformClient(url, cp, auth=PasswordLogin(email, password))
        await client.login()
        worker = CacheWorker()
        await worker.open(path, bytes.fromhex(key))
        engine = sync.SyncEngine(client, worker, None, page_size=50,
                                 on_progress=lambda d, t: print("progress", d, flush=True))
        await engine.sync_now()
        print("finished", flush=True)

    asyncio.run(main())
""")

CREATE_CHILD = textwrap.dedent("""
    import asyncio, sys, uuid
    from teller_app.platform import NewCustomer, PasswordLogin, PlatformClient
    url, cp, email, password, code, issuer, branch = sys.argv[1:8]

    async def main():
        async with PlatformClient(url, cp, auth=PasswordLogin(email, password)) as client:
            for i in range(1000):
                login = f"kill9-{i}-{uuid.uuid4().hex[:8]}"
                print("sending", login, flush=True)
                await client.create_customer(NewCustomer(asset_code=code, asset_issuer=issuer,
                                                         login=login, branch_guid=branch))
                print("created", login, flush=True)

    asyncio.run(main())
""")


@pytest.fixture()
def slow_sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path / "sb", "--latency-ms", "15", customers=1500)
    yield proc
    proc.stop()


def child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_kill_9_during_a_full_sync_then_resume(slow_sandbox: SandboxProcess,
                                               tmp_path: Path) -> None:
    sb = slow_sandbox
    path, key = tmp_path / "cache" / "head-office.db", os.urandom(32)
    proc = child(SYNC_CHILD, sb.base_url, sb.counterparty_guid, ADMIN, password_of(sb, ADMIN),
                 str(path), key.hex())
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until past the first committed batch (10 pages)
        if line.startswith("progress") and int(line.split()[1]) >= 700:
            break
        assert not line.startswith("finished"), "the sync ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with BranchCache.open(path, key) as cache:  # killed mid bulk load (cache/bulk_load.py)
        assert bulk_load.pending(cache._conn) and "customers_sort" not in indexes(cache)

    async def resume() -> tuple[int, int, int]:
        client = PlatformClient(sb.base_url, sb.counterparty_guid,
                                auth=PasswordLogin(ADMIN, password_of(sb, ADMIN)))
        worker = CacheWorker()
        try:
            await client.login()
            await worker.open(path, key)
            kept = (await worker.stats()).count
            await SyncEngine(client, worker, None, page_size=200).sync_now()
            total = (await client.list_customers(limit=1)).total
            return kept, (await worker.stats()).count, total
        finally:
            await worker.close()
            await client.aclose()

    kept, final, total = asyncio.run(resume())
    assert 0 < kept < total  # the work done before the kill was kept...
    assert final == total  # ...and the resumed sync lost nothing (rows keyed by guid)
    with BranchCache.open(path, key) as cache:  # the indexes were built once, at the end
        assert not bulk_load.pending(cache._conn)
        assert {"customers_sort", "customers_f_login"} <= indexes(cache)
        some = cache.customers_page(500, 1)[0]
        found = cache.search(f"{some.surname} {some.name}", 0, 1000)
        assert some.wallet_user_guid in [r.wallet_user_guid for r in found]
        assert cache.integrity_check() == "ok"


def indexes(cache: BranchCache) -> set[str]:
    return {r[0] for r in cache._conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers'")}


def test_kill_9_while_creating_customers(sandbox: SandboxProcess) -> None:
    sb = sandbox
    asset = sb.manifest["asset"]
    branch = sb.manifest["branches"][0]["guid"]
    proc = child(CREATE_CHILD, sb.base_url, sb.counterparty_guid, TELLER,
                 password_of(sb, TELLER), asset["code"], asset["issuer"], branch)
    assert proc.stdout is not None
    created: list[str] = []
    in_flight = ""
    for line in proc.stdout:
        word, login = line.split()
        if word == "created":
            created.append(login)
        elif len(created) >= 5:  # a request is on its way: kill now
            in_flight = login
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(10)

    async def count(login: str) -> int:
        async with PlatformClient(sb.base_url, sb.counterparty_guid,
                                  auth=PasswordLogin(TELLER, password_of(sb, TELLER))) as c:
            return len((await c.list_customers(logins=[login], limit=5)).customers)

    async def counts() -> dict[str, Any]:
        return {login: await count(login) for login in [*created, in_flight]}

    found = asyncio.run(counts())
    assert all(found[login] == 1 for login in created)  # nothing lost, nothing twice
    assert found[in_flight] in (0, 1)  # the killed one: applied fully or not at all


CONFIRM_CHILD = textwrap.dedent("""
    import asyncio, sys
    from decimal import Decimal
    from teller_app.core.cash import CashKind, CashService
    from teller_app.platform import PasswordLogin, PlatformClient
    url, cp, email, password, branch, processing, customer = sys.argv[1:8]

    async def main():
        async with PlatformClient(url, cp, auth=PasswordLogin(email, password)) as client:
            cash = CashService(client, branch, processing, Decimal("10000.00"))
            for i in range(1000):
                draft = await cash.create(CashKind.DEPOSIT, customer, "1.00")
                print("confirming", draft.payment_guid, flush=True)
                await cash.confirm(draft.payment_guid)
                print("confirmed", draft.payment_guid, flush=True)

    asyncio.run(main())
""")


def test_kill_9_while_confirming_cash(sandbox: SandboxProcess) -> None:
    sb = sandbox
    branch = sb.manifest["branches"][0]

    async def customer_and_balance(guid: str | None = None) -> tuple[str, Any]:
        async with PlatformClient(sb.base_url, sb.counterparty_guid,
                                  auth=PasswordLogin(TELLER, password_of(sb, TELLER))) as c:
            if guid is None:
                guid = (await c.create_customer(new_customer(sb, branch["guid"]))).customer_guid
            balance = (await c.get_customer_accounts(guid))[0].assets[0].balance
            return guid, balance

    customer, start = asyncio.run(customer_and_balance())
    proc = child(CONFIRM_CHILD, sb.base_url, sb.counterparty_guid, TELLER,
                 password_of(sb, TELLER), branch["guid"], branch["processing_account_guid"],
                 customer)
    assert proc.stdout is not None
    confirmed: list[str] = []
    in_flight = ""
    for line in proc.stdout:
        word, guid = line.split()
        if word == "confirmed":
            confirmed.append(guid)
        elif len(confirmed) >= 3:
            in_flight = guid
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(10)

    async def statuses() -> dict[str, str]:
        async with PlatformClient(sb.base_url, sb.counterparty_guid,
                                  auth=PasswordLogin(TELLER, password_of(sb, TELLER))) as c:
            return {g: (await c.get_payment(g, with_stellar_info=False)).status
                    for g in [*confirmed, in_flight]}

    found = asyncio.run(statuses())
    _, end = asyncio.run(customer_and_balance(customer))
    assert all(found[g] == "CONFIRMED" for g in confirmed)
    applied = len(confirmed) + (1 if found[in_flight] == "CONFIRMED" else 0)
    assert end - start == applied  # each deposit of 1.00 applied exactly once
    conservation = httpx.get(f"{sb.base_url}/__sim/conservation", timeout=30,
                             headers={"X-Sim-Admin": sb.manifest["sim_admin_token"]}).json()
    assert conservation["conserved"] is True
