"""The branch cache seam: what the desk opened for this employee and scope — the cache worker
(DB thread), the sync engine and the connectivity monitor — and how it is opened and closed.
``MainWindow`` takes one of these (or None: no cache); Qt wiring is ``ui/cache_wiring.py``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from teller_app.cache import HEAD_OFFICE, CacheCorruptError, CacheStats
from teller_app.core import app_paths
from teller_app.core.cache_open import (
    CacheScope,
    open_scoped_cache,
    wipe_on_sign_out,
    wipe_scoped_cache,
)
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.connectivity import Connectivity
from teller_app.core.machine_policy import read_policy
from teller_app.core.server_traits import attach_traits
from teller_app.core.session import Session
from teller_app.core.sync import SyncEngine
from teller_app.secrets import SecretStore

log = logging.getLogger(__name__)


@dataclass
class BranchCacheBundle:
    worker: CacheWorker
    sync: SyncEngine
    connectivity: Connectivity
    path: Path
    warm: bool  # a full sync has completed: searching the cache is complete
    scope: CacheScope | None = None
    store: SecretStore | None = None
    wipe_on_close: bool = False  # a head-office cache on a branch desk
    rebuilt_from_newer: bool = False  # a newer Teller's file was wiped (the desk says so)
    rebuilt_damaged: bool = False  # a damaged file is being replaced (the desk says so)


async def open_branch_cache(session: Session) -> BranchCacheBundle:
    """The cache of this employee and scope. A wrong key, a damaged file or a newer Teller's
    file wipes and re-syncs (a page found damaged later: ``SyncEngine`` rebuilds it); a
    locked cache or an I/O failure raises (CacheLockedError / CacheIOError) and nothing is
    deleted."""
    profile = session.profile
    scope = CacheScope(profile.name, str(session.employee.guid),
                       session.branch_guid or HEAD_OFFICE)
    store = await SecretStore.open(profile.name)
    worker = CacheWorker()
    try:
        opened = await open_scoped_cache(worker, app_paths.data_dir(), scope, store)
    except BaseException:
        await worker.close()
        raise
    client = session.client
    await attach_traits(client, session.profile)  # what we learnt about this server before
    connectivity = Connectivity(lambda: client.list_customers(limit=1))
    branches = [session.branch_guid] if session.branch_guid else None
    sync = SyncEngine(client, worker, branches, connectivity=connectivity)
    try:
        warm, stats, rebuilt = await _first_look(worker)
    except BaseException:
        await worker.close()
        raise
    if stats.last_sync_at:
        connectivity.last_sync_at = stats.last_sync_at
    return BranchCacheBundle(worker, sync, connectivity, opened.path, warm, scope, store,
                             wipe_on_sign_out(scope, profile.head_office_desk),
                             rebuilt_from_newer=opened.newer_schema, rebuilt_damaged=rebuilt)


async def _first_look(worker: CacheWorker) -> tuple[bool, CacheStats, bool]:
    """Whether the opened cache is warm, its stats, and whether it was rebuilt: a damaged
    page met here (the file opened: page 1 is sound) is replaced by an empty file at once."""
    try:
        return not await worker.is_cold(), await worker.stats(), False
    except CacheCorruptError:
        log.warning("branch cache damaged: replacing it by an empty one for a full sync")
        await worker.rebuild()
        return False, await worker.stats(), True


async def close_branch_cache(bundle: BranchCacheBundle | None, *,
                             signing_out: bool = False) -> None:
    """Close the cache. A head-office cache on a branch desk is wiped, key included; with
    ``signing_out`` (an explicit sign-out) so is every cache when the machine policy says
    ``wipe_cache_at_sign_out`` (a PC whose keyring several employees share)."""
    if bundle is None:
        return
    await bundle.connectivity.stop()
    await bundle.sync.stop()  # a running sync and reconcile pass (it deletes nothing then)
    with contextlib.suppress(Exception):
        await bundle.worker.close()  # runs after any in-flight DB job on the same thread
    if bundle.scope is None or bundle.store is None:
        return
    if bundle.wipe_on_close:
        log.info("head-office cache wiped at sign-out (branch desk)")
    elif signing_out and (await asyncio.to_thread(read_policy)).wipe_cache_at_sign_out:
        log.info("branch cache wiped at sign-out (machine policy)")
    else:
        return
    await wipe_scoped_cache(app_paths.data_dir(), bundle.scope, bundle.store)
