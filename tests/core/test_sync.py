"""SyncEngine against the real sandbox (no Qt: plain asyncio.run)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from teller_app.cache import BranchCache, cache_path
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.sync import SyncEngine
from teller_app.platform import CustomerUpdate, PasswordLogin, PlatformClient
from tests.platform.sandbox_helpers import admin_client, new_customer, password_client


def _branch(sb: SandboxProcess, i: int) -> str:
    return str(sb.manifest["branches"][i]["guid"])


async def _server_total(client: PlatformClient, branch: str | None) -> int:
    """Customers the cache should hold: all of the scope."""
    page = await client.list_customers(branch_guids=[branch] if branch else None, limit=1000)
    assert page.total <= 1000
    return len(page.customers)


def test_full_and_incremental_sync_against_sandbox(sandbox: SandboxProcess, tmp_path: Path) -> None:
    kyiv, lviv = _branch(sandbox, 0), _branch(sandbox, 1)
    path = cache_path(tmp_path, "demo", kyiv)
    key = os.urandom(32)
    progress: list[tuple[int, int]] = []

    async def scenario() -> None:
        worker = CacheWorker()
        await worker.open(path, key)
        async with password_client(sandbox) as teller, admin_client(sandbox) as admin:
            engine = SyncEngine(
                teller, worker, [kyiv], page_size=5,
                on_progress=lambda d, t: progress.append((d, t))
            )
            assert await worker.is_cold()
            await engine.sync_now()
            assert not await worker.is_cold()
            stats = await worker.stats()
            assert stats.count == await _server_total(admin, kyiv)
            assert stats.last_sync_at is not None
            rows = await worker.customers_page(0, 10_000)
            assert {r.branch_guid for r in rows} == {kyiv}  # no Lviv customers
            # progress counts what the server sent (approval markers too); the cache skips those
            assert progress[-1][0] == progress[-1][1] >= stats.count

            # Another client creates, updates and disables; incremental sync picks it up.
            tag = uuid.uuid4().hex[:6]
            created = await admin.create_customer(
                new_customer(sandbox, 0, surname=f"Новенко{tag}", name="Петро")
            )
            lviv_new = await admin.create_customer(
                new_customer(sandbox, 1, surname=f"Львівенко{tag}")
            )
            victim = rows[0].guid
            await admin.update_customer(victim, CustomerUpdate(surname=f"Змінений{tag}"))
            disabled = rows[1].guid
            await admin.update_customer(disabled, CustomerUpdate(is_disabled=True))
            received = await engine.sync_now()
            # the 3 Kyiv changes, plus rows inside the 2 s overlap (a just-seeded sandbox)
            assert 3 <= received <= stats.count + 3
            assert [r.guid for r in await worker.search(f"Новенко{tag}")] == [
                created.customer_guid
            ]
            assert [r.guid for r in await worker.search(f"Zminenyi{tag}")] == [victim]
            row = await worker.get_customer(disabled)
            assert row is not None and row.is_disabled
            assert await worker.get_customer(lviv_new.customer_guid) is None
            assert await worker.search(f"Львівенко{tag}") == []
            assert (await worker.stats()).count == await _server_total(admin, kyiv)

            # Accounts are fetched lazily, with their balances and fetched_at.
            accounts = await engine.refresh_accounts(created.customer_guid)
            cached = await worker.get_accounts(created.customer_guid)
            assert [a.guid for a in cached] == [
                a.wallet_account_guid or a.guid for a in accounts
            ]
            assert cached[0].fetched_at > 0 and cached[0].assets
        await worker.close()

    asyncio.run(scenario())
    with BranchCache.open(path, key) as c:
        assert c.integrity_check() == "ok"
        dupes = c._conn.execute("SELECT count(*) - count(DISTINCT guid) FROM customers")
        assert dupes.fetchone()[0] == 0
    assert lviv  # branch scope checked above


def test_concurrent_sync_now_shares_one_run(sandbox: SandboxProcess, tmp_path: Path) -> None:
    kyiv = _branch(sandbox, 0)

    async def scenario() -> tuple[int, int]:
        worker = CacheWorker()
        await worker.open(cache_path(tmp_path, "demo", kyiv), None)
        async with password_client(sandbox) as teller:
            engine = SyncEngine(teller, worker, [kyiv])
            a, b = await asyncio.gather(engine.sync_now(), engine.sync_now())
        await worker.close()
        return a, b

    a, b = asyncio.run(scenario())
    assert a == b and a > 0


_CHILD = r"""
import asyncio, sys
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.sync import SyncEngine
from teller_app.platform import PasswordLogin, PlatformClient

base, cp, email, pw, branch, path, key = sys.argv[1:8]

async def main():
    worker = CacheWorker()
    await worker.open(path, bytes.fromhex(key))
    async with PlatformClient(base, cp, auth=PasswordLogin(email, pw)) as client:
        def progress(done, total):
            print("progress", done, total, flush=True)
        await SyncEngine(client, worker, [branch], on_progress=progress, page_size=25).sync_now()
    print("finished", flush=True)

asyncio.run(main())
"""


@pytest.mark.slow
def test_killed_full_sync_resumes_without_corruption(tmp_path: Path) -> None:
    sb = start_sandbox(tmp_path / "sb", customers=1500)
    try:
        kyiv = _branch(sb, 0)
        emp = sb.employee("Teller", 0)
        path = cache_path(tmp_path / "data", "demo", kyiv)
        key = os.urandom(32)
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, sb.base_url, sb.counterparty_guid, emp["email"],
             emp["password"], kyiv, str(path), key.hex()],
            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2],
        )  # fmt: skip
        assert child.stdout is not None
        done = 0
        for line in child.stdout:  # kill it mid-way, after a few pages were stored
            if line.startswith("progress"):
                done = int(line.split()[1])
                if done >= 100:
                    child.kill()
                    break
        child.wait(30)
        assert child.returncode != 0, "the child finished before it could be killed"

        with BranchCache.open(path, key) as c:
            assert c.integrity_check() == "ok"
            state = c.sync_state()
            assert not state.full_sync_done and state.cursor
            assert c.stats().count >= done

        async def resume() -> tuple[int, int]:
            worker = CacheWorker()
            await worker.open(path, key)
            client = PlatformClient(sb.base_url, sb.counterparty_guid,
                                    auth=PasswordLogin(emp["email"], emp["password"]))  # fmt: skip
            async with client:
                await SyncEngine(client, worker, [kyiv], page_size=25).sync_now()
                total = await _server_total(client, kyiv)
            count = (await worker.stats()).count
            await worker.close()
            return count, total

        count, total = asyncio.run(resume())
        assert count == total
        with BranchCache.open(path, key) as c:
            assert c.integrity_check() == "ok"
            assert c.sync_state().full_sync_done
            dupes = c._conn.execute("SELECT count(*) - count(DISTINCT guid) FROM customers")
            assert dupes.fetchone()[0] == 0
    finally:
        sb.stop()




def test_sync_shortens_the_gil_switch_interval_while_it_runs(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """During a run the cache thread hands the GIL back to the UI thread within 1 ms (issue
    12: stalls); the process's own interval is restored once the last run ends."""
    kyiv = _branch(sandbox, 0)
    seen: list[float] = []
    before = sys.getswitchinterval()

    async def scenario() -> None:
        worker = CacheWorker()
        await worker.open(cache_path(tmp_path, "demo", kyiv), None)
        async with password_client(sandbox) as teller:
            engine = SyncEngine(teller, worker, [kyiv], page_size=5,
                                on_progress=lambda d, t: seen.append(sys.getswitchinterval()))
            await asyncio.gather(engine.sync_now(), engine.sync_now())
            await engine.reconcile_now()
        await worker.close()

    sys.setswitchinterval(0.004)
    try:
        asyncio.run(scenario())
        assert seen and max(seen) <= 0.001
        assert sys.getswitchinterval() == pytest.approx(0.004)
    finally:
        sys.setswitchinterval(before)


def test_a_page_read_cancelled_before_it_starts_leaves_no_unawaited_call(
        sandbox: SandboxProcess, tmp_path: Path) -> None:
    # The next page travels while this one is stored; a sync stopped (window closed) before
    # that read started must not leave a never-awaited request coroutine (a RuntimeWarning).
    import gc
    import warnings

    async def scenario() -> list[str]:
        worker = CacheWorker()
        await worker.open(cache_path(tmp_path, "demo", "b"), os.urandom(32))
        try:
            async with admin_client(sandbox) as admin:
                engine = SyncEngine(admin, worker, None, page_size=5)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    for read in (engine._fetch(None, 0), engine._fetch_created(None, 0)):
                        read.cancel()
                        with pytest.raises(asyncio.CancelledError):
                            await read
                    del read
                    gc.collect()
                return [str(w.message) for w in caught]
        finally:
            await worker.close()

    assert not [m for m in asyncio.run(scenario()) if "never awaited" in m]
