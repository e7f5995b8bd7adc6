"""The cache key and file are per employee and scope; only a wrong key wipes; a locked or
unwritable cache is reported with nothing deleted; a head-office cache is wiped when its
session ends on a branch desk. Real SQLCipher files through the real CacheWorker."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from fs_faults import fill, small_fs
from keyring.backends import fail

from teller_app.cache import HEAD_OFFICE, BranchCache, CacheIOError, CacheKeyError, CacheLockedError
from teller_app.cache.connect import connect
from teller_app.core.cache_open import (
    CacheScope,
    cache_key,
    open_scoped_cache,
    wipe_on_sign_out,
    wipe_scoped_cache,
)
from teller_app.core.cache_worker import CacheWorker
from teller_app.secrets import SecretStore

ROW = {"wallet_user_guid": "00000000-0000-4000-8000-000000000001", "login": "380501112233",
       "name": "Taras", "surname": "Shevchenko", "updated_at": "2026-01-01T00:00:00Z"}
HEAD = CacheScope("desk", "emp-head-office-admin", HEAD_OFFICE)
TELLER = CacheScope("desk", "emp-teller", "branch-kyiv")


def memory_store() -> SecretStore:
    return SecretStore("desk", backend=fail.Keyring())  # keys kept in memory for the test


async def open_and_fill(data: Path, scope: CacheScope, store: SecretStore) -> Path:
    worker = CacheWorker()
    try:
        opened = await open_scoped_cache(worker, data, scope, store)
        await worker.call(lambda: worker.cache.upsert_customers([ROW]))
        return opened.path
    finally:
        await worker.close()


def test_each_employee_and_scope_has_its_own_key(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = memory_store()
        head_path = await open_and_fill(tmp_path, HEAD, store)
        head_key = await cache_key(store, HEAD.key_name)
        teller_key = await cache_key(store, TELLER.key_name)
        assert HEAD.key_name != TELLER.key_name and head_key != teller_key
        # The next employee's key cannot decrypt the head-office file someone left...
        with pytest.raises(CacheKeyError):
            BranchCache.open(head_path, teller_key)
        # ...and opening their own cache deletes it first.
        teller_path = await open_and_fill(tmp_path, TELLER, store)
        assert teller_path != head_path and not head_path.exists()

    asyncio.run(scenario())


def test_a_wrong_key_wipes_and_reopens_empty(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = memory_store()
        path = await open_and_fill(tmp_path, TELLER, store)
        await store.set(TELLER.key_name, os.urandom(32).hex())  # the key was lost/replaced
        worker = CacheWorker()
        try:
            opened = await open_scoped_cache(worker, tmp_path, TELLER, store)
            assert opened.wiped and opened.path == path
            assert (await worker.stats()).count == 0  # re-synced from the platform next
        finally:
            await worker.close()

    asyncio.run(scenario())


def test_a_locked_cache_is_reported_and_kept(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = memory_store()
        path = await open_and_fill(tmp_path, TELLER, store)
        key = await cache_key(store, TELLER.key_name)
        holder = connect(path, key)
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("DELETE FROM sync_state WHERE 0")
        worker = CacheWorker()
        try:
            with pytest.raises(CacheLockedError):
                await open_scoped_cache(worker, tmp_path, TELLER, store, busy_timeout=0.2)
        finally:
            await worker.close()
            holder.execute("ROLLBACK")
            holder.close()
        reopened = BranchCache.open(path, key)  # nothing was wiped
        assert reopened.stats().count == 1
        reopened.close()

    asyncio.run(scenario())


def test_a_full_disk_is_reported_and_nothing_is_wiped(tmp_path: Path) -> None:
    async def scenario(data: Path) -> None:
        store = memory_store()
        path = await open_and_fill(data, TELLER, store)
        size = path.stat().st_size
        filler = fill(data)
        worker = CacheWorker()
        try:
            with pytest.raises(CacheIOError) as info:
                await open_scoped_cache(worker, data, TELLER, store)
            assert info.value.kind == "disk_full"
        finally:
            await worker.close()
        assert path.stat().st_size == size
        filler.unlink()
        key = await cache_key(store, TELLER.key_name)
        reopened = BranchCache.open(path, key)  # space back: the same data opens
        assert reopened.stats().count == 1
        reopened.close()

    with small_fs(tmp_path) as fs:
        asyncio.run(scenario(fs))


def test_head_office_cache_is_wiped_at_sign_out_on_a_branch_desk(tmp_path: Path) -> None:
    assert wipe_on_sign_out(HEAD, head_office_desk=False)
    assert not wipe_on_sign_out(HEAD, head_office_desk=True)
    assert not wipe_on_sign_out(TELLER, head_office_desk=False)

    async def scenario() -> None:
        store = memory_store()
        path = await open_and_fill(tmp_path, HEAD, store)
        await wipe_scoped_cache(tmp_path, HEAD, store)
        assert not path.exists() and await store.get(HEAD.key_name) is None

    asyncio.run(scenario())


def test_sign_out_of_head_office_wipes_through_the_app_wiring(
        sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
    from teller_app.ui.sign_in import sandbox_target

    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path))
    admin = sandbox.employee("Administrator", None)

    async def scenario() -> tuple[Path, bool]:
        profile = sandbox_target(sandbox.manifest).profile
        session = await open_session(profile, PasswordLogin(admin["email"], admin["password"]))
        try:
            bundle = await open_branch_cache(session)
            assert bundle.path.exists() and bundle.wipe_on_close
            await close_branch_cache(bundle)
            return bundle.path, bundle.path.exists()
        finally:
            await session.close()

    path, exists = asyncio.run(scenario())
    assert HEAD_OFFICE in path.name and not exists
