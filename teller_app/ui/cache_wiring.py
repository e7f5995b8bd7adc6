"""Connecting the main window to the branch cache: open it for the employee's scope, search
it, sync it (F5, on start, every few minutes, and when the platform comes back), and follow
Connectivity for the offline banner.

Search flow with the cache: keystroke -> CacheSearchSource.first_page on the CacheWorker's
DB thread (no debounce; the newest query cancels the older one) -> page 1 and the count are
shown; scrolling calls fetchMore for the next page. Until the first full sync completes
(``is_cold``) the platform is searched instead. A head-office branch filter, GUIDs and the
"no cache" case also go to the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer

from teller_app.cache import HEAD_OFFICE
from teller_app.core import app_paths
from teller_app.core.cache_open import (
    CacheScope,
    open_scoped_cache,
    wipe_on_sign_out,
    wipe_scoped_cache,
)
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.connectivity import Connectivity
from teller_app.core.server_traits import attach_traits
from teller_app.core.sync import SyncEngine
from teller_app.secrets import SecretStore

log = logging.getLogger(__name__)
BACKGROUND_SYNC_MS = 5 * 60 * 1000


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


async def open_branch_cache(session: Any) -> BranchCacheBundle:
    """The cache of this employee and scope. A wrong key wipes and re-syncs; a locked cache
    or an I/O failure raises (CacheLockedError / CacheIOError) and nothing is deleted."""
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
    warm = not await worker.is_cold()
    stats = await worker.stats()
    if stats.last_sync_at:
        connectivity.last_sync_at = stats.last_sync_at
    return BranchCacheBundle(worker, sync, connectivity, opened.path, warm, scope, store,
                             wipe_on_sign_out(scope, profile.head_office_desk))


async def close_branch_cache(bundle: BranchCacheBundle | None) -> None:
    if bundle is None:
        return
    await bundle.connectivity.stop()
    await bundle.sync.stop()  # a running sync and reconcile pass (it deletes nothing then)
    with contextlib.suppress(Exception):
        await bundle.worker.close()  # runs after any in-flight DB job on the same thread
    if bundle.wipe_on_close and bundle.scope is not None and bundle.store is not None:
        log.info("head-office cache wiped at sign-out (branch desk)")
        await wipe_scoped_cache(app_paths.data_dir(), bundle.scope, bundle.store)


def wire_cache(window: Any) -> None:
    """Hook the opened cache into the window (no-op without one)."""
    bundle: BranchCacheBundle | None = window.branch_cache
    if bundle is None:
        return
    window.ops.connectivity = bundle.connectivity
    window._cache_warm = bundle.warm
    bundle.sync.on_progress = window._sync_progress

    def online_changed(online: bool) -> None:
        window._set_online(online)
        if online:  # back: catch up with what changed meanwhile
            window.sync_now()

    unsubscribe = bundle.connectivity.add_listener(online_changed)
    window.destroyed.connect(lambda *_: unsubscribe())
    if bundle.connectivity.last_sync_at:
        window.sync_label.setText(describe_sync(window, bundle.connectivity.last_sync_at))
    timer = QTimer(window)
    timer.setInterval(BACKGROUND_SYNC_MS)
    def background_sync() -> None:
        # A window outliving its event loop (app shutdown, a finished test) starts nothing.
        if bundle.connectivity.online and _loop_alive():
            window.sync_now()

    timer.timeout.connect(background_sync)
    timer.start()
    window.background_sync_timer = timer
    QTimer.singleShot(0, window.sync_now)  # first sync (full, or catching up) right away


def describe_sync(window: Any, at: float) -> str:
    return QCoreApplication.translate("MainWindow", "Synced {time}").format(
        time=time.strftime("%H:%M", time.localtime(at)))


def _loop_alive() -> bool:
    try:
        return not asyncio.get_event_loop().is_closed()
    except RuntimeError:  # no event loop any more
        return False
