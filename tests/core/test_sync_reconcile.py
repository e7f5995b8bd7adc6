"""SyncEngine's reconcile pass against the real sandbox: customers that left the scope (moved
to another branch by head office) are deleted from the cache, and only after a completed pass.
Faults are injected by wrapping the real client (``Spy``)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from teller_app.cache import cache_path
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.sync import SyncEngine
from teller_app.platform import CustomerUpdate, PlatformClient, Unavailable
from tests.platform.sandbox_helpers import admin_client, new_customer, password_client

PAGE = 5
Hook = Callable[[int, Any], Awaitable[Any]]


class Spy:
    """The real client; ``list_customer_records`` of a reconcile read (``ordering=created_at``)
    counted and passed through ``hook(n, page)`` (n = 1, 2, ... per pass)."""

    def __init__(self, client: PlatformClient, hook: Hook | None = None) -> None:
        self._client = client
        self.hook = hook
        self.reconcile_pages = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def list_customer_records(self, **kw: Any) -> Any:
        page = await self._client.list_customer_records(**kw)
        if kw.get("ordering") == "created_at":
            self.reconcile_pages += 1
            if self.hook is not None:
                page = await self.hook(self.reconcile_pages, page)
        return page


def _branch(sb: SandboxProcess, i: int) -> str:
    return str(sb.manifest["branches"][i]["guid"])


async def _server_guids(client: PlatformClient, branch: str) -> set[str]:
    out: set[str] = set()
    async for c in client.iter_customers(1000, branch_guids=[branch]):
        out.add(c.wallet_user_guid)
    return out


async def _cached_guids(worker: CacheWorker) -> set[str]:
    return await worker.call(lambda: worker.cache.all_guids())


async def _open(tmp_path: Path, name: str, branch: str) -> CacheWorker:
    worker = CacheWorker()
    await worker.open(cache_path(tmp_path / name, "demo", branch), os.urandom(32))
    return worker


async def _move_one_out(sb: SandboxProcess, admin: PlatformClient, engine: SyncEngine,
                        tag: str) -> str:
    """A new Kyiv customer, cached (with accounts) by ``engine``, then moved to Lviv."""
    if engine.reconcile_task is not None:  # the pass after the first sync would (rightly)
        await engine.reconcile_task  # remove the moved customer before the test looks
    created = await admin.create_customer(new_customer(sb, 0, surname=f"Переїзд{tag}"))
    guid = created.customer_guid
    await engine.sync_now()
    assert await engine.worker.get_customer(guid) is not None
    await engine.refresh_accounts(guid)
    assert await engine.worker.get_accounts(guid)
    await admin.update_customer(guid, CustomerUpdate(branch_guid=_branch(sb, 1)))
    await engine.sync_now()  # incremental: the move is not in Kyiv's list any more
    assert await engine.worker.get_customer(guid) is not None
    return guid


def test_customer_moved_to_another_branch_leaves_the_old_cache(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    kyiv, lviv = _branch(sandbox, 0), _branch(sandbox, 1)
    tag = uuid.uuid4().hex[:6]

    async def scenario() -> None:
        kyiv_worker = await _open(tmp_path, "kyiv", kyiv)
        lviv_worker = await _open(tmp_path, "lviv", lviv)
        async with password_client(sandbox) as k_teller, \
                password_client(sandbox, branch_index=1) as l_teller, \
                admin_client(sandbox) as admin:  # fmt: skip
            k_spy = Spy(k_teller)
            k_engine = SyncEngine(k_spy, kyiv_worker, [kyiv], page_size=PAGE)
            l_engine = SyncEngine(l_teller, lviv_worker, [lviv], page_size=PAGE)
            await k_engine.sync_now()
            await l_engine.sync_now()
            moved = await _move_one_out(sandbox, admin, k_engine, tag)

            await l_engine.sync_now()  # the Lviv cache gets it
            row = await lviv_worker.get_customer(moved)
            assert row is not None and row.branch_guid == lviv

            before = time.time()
            assert await k_engine.reconcile_now() == 1
            assert k_spy.reconcile_pages >= 2  # paged (and pipelined) like the full sync
            assert await kyiv_worker.get_customer(moved) is None
            assert await kyiv_worker.get_accounts(moved) == []
            assert await kyiv_worker.search(f"Переїзд{tag}") == []
            assert await _cached_guids(kyiv_worker) == await _server_guids(admin, kyiv)
            state = await kyiv_worker.sync_state()
            assert state.reconciled_at is not None and state.reconciled_at >= before - 1
            assert state.full_sync_done and state.cursor  # the sync cursor is untouched
            # Lviv: nothing to delete, and the moved customer stays
            assert await l_engine.reconcile_now() == 0
            assert await lviv_worker.get_customer(moved) is not None
        await kyiv_worker.close()
        await lviv_worker.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("fault", ["failed", "killed"])
def test_failed_or_killed_reconcile_deletes_nothing(
    sandbox: SandboxProcess, tmp_path: Path, fault: str
) -> None:
    kyiv = _branch(sandbox, 0)

    async def scenario() -> None:
        worker = await _open(tmp_path, "kyiv", kyiv)
        async with password_client(sandbox) as teller, admin_client(sandbox) as admin:
            spy = Spy(teller)
            engine = SyncEngine(spy, worker, [kyiv], page_size=PAGE)
            await engine.sync_now()
            moved = await _move_one_out(sandbox, admin, engine, uuid.uuid4().hex[:6])
            cached = await _cached_guids(worker)
            reached = asyncio.Event()

            async def hook(n: int, page: Any) -> Any:
                if n == 2:
                    if fault == "failed":
                        raise Unavailable("platform went away mid-pass")
                    reached.set()
                    await asyncio.Event().wait()  # hangs until cancelled
                return page

            spy.reconcile_pages = 0  # count this pass's pages only
            spy.hook = hook
            state = await worker.sync_state()
            if fault == "failed":
                with pytest.raises(Unavailable):
                    await engine.reconcile_now()
            else:
                run = asyncio.ensure_future(engine.reconcile_now())
                await asyncio.wait_for(reached.wait(), 30)
                await engine.stop()  # sign-out / app exit mid-pass
                with pytest.raises(asyncio.CancelledError):
                    await run
            assert await worker.get_customer(moved) is not None
            assert await worker.get_accounts(moved)
            assert await _cached_guids(worker) == cached
            assert (await worker.sync_state()).reconciled_at == state.reconciled_at
            # the next, completed pass does delete it
            spy.hook = None
            assert await engine.reconcile_now() == 1
            assert await worker.get_customer(moved) is None
        await worker.close()

    asyncio.run(scenario())


def test_rows_stored_during_the_pass_survive_it(sandbox: SandboxProcess, tmp_path: Path) -> None:
    kyiv = _branch(sandbox, 0)
    tag = uuid.uuid4().hex[:6]

    async def scenario() -> None:
        worker = await _open(tmp_path, "kyiv", kyiv)
        async with password_client(sandbox) as teller, admin_client(sandbox) as admin:
            spy = Spy(teller)
            engine = SyncEngine(spy, worker, [kyiv], page_size=PAGE)
            await engine.sync_now()
            phantom = str(uuid.uuid4())
            fresh: list[str] = []

            async def hook(n: int, page: Any) -> Any:
                last = len(page.customers) < PAGE or n * PAGE >= (page.total or 0)
                if last and not fresh:  # the pass's last page was read (a full one too)
                    # A customer created now (the pass cannot see it) that an incremental
                    # sync stores meanwhile, and a row the platform does not know at all.
                    made = await admin.create_customer(new_customer(sandbox, 0,
                                                                    surname=f"Свіжий{tag}"))
                    fresh.append(made.customer_guid)
                    await worker.upsert_customers([await teller.get_customer(made.customer_guid),
                                                   {"wallet_user_guid": phantom,
                                                    "surname": f"Фантом{tag}"}])
                return page

            spy.hook = hook
            assert await engine.reconcile_now() == 0
            assert fresh and await worker.get_customer(fresh[0]) is not None
            assert await worker.get_customer(phantom) is not None
            # The next pass began after they were stored: the phantom goes, the real one stays.
            spy.hook = None
            assert await engine.reconcile_now() == 1
            assert await worker.get_customer(phantom) is None
            assert await worker.get_customer(fresh[0]) is not None
        await worker.close()

    asyncio.run(scenario())


def test_a_row_the_pass_skipped_is_asked_for_before_deletion(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """Offset paging within a timestamp can skip a row when another leaves the scope
    mid-pass; a still-existing customer the pass did not see is kept (asked by GUID)."""
    kyiv = _branch(sandbox, 0)

    async def scenario() -> None:
        worker = await _open(tmp_path, "kyiv", kyiv)
        async with password_client(sandbox) as teller:
            spy = Spy(teller)
            engine = SyncEngine(spy, worker, [kyiv], page_size=PAGE)
            await engine.sync_now()
            dropped: list[str] = []

            async def hook(n: int, page: Any) -> Any:
                if n == 1:
                    dropped.append(page.customers[0]["wallet_user_guid"])
                    return replace(page, customers=page.customers[1:])
                return page

            spy.hook = hook
            before = await _cached_guids(worker)
            assert await engine.reconcile_now() == 0
            assert dropped and await worker.get_customer(dropped[0]) is not None
            assert await _cached_guids(worker) == before
        await worker.close()

    asyncio.run(scenario())


def test_sync_now_reconciles_at_most_once_per_interval(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    kyiv = _branch(sandbox, 0)

    async def scenario() -> None:
        worker = await _open(tmp_path, "kyiv", kyiv)
        async with password_client(sandbox) as teller:
            spy = Spy(teller)
            # no deferral of the first pass here (test_sync_first_reconcile covers it)
            engine = SyncEngine(spy, worker, [kyiv], page_size=PAGE, first_reconcile_delay=0)
            assert engine.reconcile_hours == 24
            # The first full sync is followed by one background pass (it pages by the immutable
            # created_at, so it also stores a row the updated_at paging may have skipped).
            await engine.sync_now()
            first = engine.reconcile_task
            assert first is not None
            assert await first == 0
            state = await worker.sync_state()
            assert state.reconciled_at is not None
            pages = spy.reconcile_pages
            assert pages >= 1
            await engine.sync_now()
            assert engine.reconcile_task is first and spy.reconcile_pages == pages

            # 23 h later: still not due.
            await worker.set_sync_state(replace(state, reconciled_at=time.time() - 23 * 3600))
            await engine.sync_now()
            assert engine.reconcile_task is first

            # 25 h later: the incremental run returns, the pass runs in the background.
            await worker.set_sync_state(
                replace(await worker.sync_state(), reconciled_at=time.time() - 25 * 3600)
            )
            due_at = time.time()
            await engine.sync_now()
            task = engine.reconcile_task
            assert task is not None
            assert await task == 0
            assert spy.reconcile_pages >= 2
            reconciled = (await worker.sync_state()).reconciled_at
            assert reconciled is not None and due_at <= reconciled <= time.time()

            # ... and not again for the next 24 h.
            pages = spy.reconcile_pages
            await engine.sync_now()
            await engine.sync_now()
            assert engine.reconcile_task is task and spy.reconcile_pages == pages

            # A clock set back (reconciled "in the future") does not postpone it.
            state = await worker.sync_state()
            assert engine.reconcile_due(replace(state, reconciled_at=time.time() + 3600))
            # configurable
            hourly = SyncEngine(spy, worker, [kyiv], page_size=PAGE, reconcile_hours=1)
            assert not hourly.reconcile_due(state, now=time.time() + 3500)
            assert hourly.reconcile_due(state, now=time.time() + 3700)
            assert not engine.reconcile_due(state, now=time.time() + 3700)
            # never on a cache without a completed full sync
            assert not engine.reconcile_due(replace(state, full_sync_done=False,
                                                    reconciled_at=None))
        await worker.close()

    asyncio.run(scenario())
