"""Connecting the main window to the branch cache: open it for the employee's scope, search
it, sync it (F5, on start, every few minutes, and when the platform comes back), and follow
Connectivity for the offline banner.

Search flow with the cache: keystroke -> CacheSearchSource.first_page on the CacheWorker's
DB thread (no debounce; the newest query cancels the older one) -> page 1 and the count are
shown; scrolling calls fetchMore for the next page. Until the first full sync completes
(``is_cold``) the platform is searched instead. A head-office branch filter, GUIDs and the
"no cache" case also go to the platform. So does every search while a cache found damaged
(a search or a sync met a page that fails its check) is replaced and synced in full
(``cache_rebuilding``): the window treats it as cold until that sync is done.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer

from teller_app.cache import CacheCorruptError

# the seam lives in core; re-exported here for the callers that always imported it from here
from teller_app.core.branch_cache import (
    BranchCacheBundle,
    close_branch_cache,
    open_branch_cache,
)
from teller_app.core.receipt import kyiv_time
from teller_app.ui.async_op import open_event_loop
from teller_app.ui.error_text import cache_damaged_text, cache_notice
from teller_app.ui.local_time import clock_text
from teller_app.ui.switched_away import left

if TYPE_CHECKING:
    from teller_app.core.session import Session
    from teller_app.ui.main_window import MainWindow
    from teller_app.ui.main_window_chrome import MainWindowChrome

__all__ = ["BACKGROUND_SYNC_MS", "BranchCacheBundle", "close_branch_cache",
           "open_branch_cache", "retranslate_sync_line", "show_sync_line", "unwire_cache",
           "wire_cache"]
BACKGROUND_SYNC_MS = 5 * 60 * 1000


def wire_cache(window: MainWindow) -> None:
    """Hook the opened cache into the window (no-op without one)."""
    bundle: BranchCacheBundle | None = window.branch_cache
    if bundle is None:
        return
    window.ops.connectivity = bundle.connectivity
    window._cache_warm = bundle.warm
    # rows downloaded, not committed: a first sync commits every 10 pages, which on a slow
    # link left "Syncing…" without a count for its whole length
    bundle.sync.on_received = window._sync_progress
    bundle.sync.on_rebuild = partial(cache_rebuilding, window)
    window.search_panel.model.search_failed.connect(partial(_search_failed, window))

    def online_changed(online: bool) -> None:
        window._set_online(online)
        if online:  # back: catch up with what changed meanwhile
            window.sync_now()

    unsubscribe = bundle.connectivity.add_listener(online_changed)
    window.cache_unsubscribe = unsubscribe  # unwire_cache takes it off again
    window.destroyed.connect(lambda *_: unsubscribe())
    if bundle.connectivity.last_sync_at:
        show_sync_line(window, "synced", bundle.connectivity.last_sync_at)
    timer = QTimer(window)
    timer.setInterval(BACKGROUND_SYNC_MS)
    def background_sync() -> None:
        # A window outliving its event loop (app shutdown, a finished test) starts nothing.
        if bundle.connectivity.online and open_event_loop() is not None:
            window.sync_now()

    timer.timeout.connect(background_sync)
    timer.start()
    window.background_sync_timer = timer
    QTimer.singleShot(0, window.sync_now)  # first sync (full, or catching up) right away


def unwire_cache(window: MainWindow, leaving: Session | None = None) -> None:
    """Another employee took over the window: the cache is the leaving one's (their key, their
    scope: a head office sees every branch; its sync holds their closed client), so it is
    closed and the newcomer searches the platform under their own rights until their next
    sign-in opens their cache. The leaving employee (``leaving``) is kept on the window's
    ``switched_away``: an explicit sign-out signs them out too (ui/switched_away)."""
    bundle = window.branch_cache
    closing: asyncio.Future[None] | None = None
    if bundle is not None:
        closing = _close_cache(window, bundle)
    if leaving is not None:
        window.switched_away = (*window.switched_away, left(leaving, bundle, closing))


def _close_cache(window: MainWindow, bundle: BranchCacheBundle) -> asyncio.Future[None] | None:
    window.branch_cache = window.cache_worker = window.sync_engine = None
    window.connectivity = window.ops.connectivity = None
    window.service.cache = None
    window._cache_warm = False
    if window.cache_unsubscribe is not None:
        window.cache_unsubscribe()
        window.cache_unsubscribe = None
    if window.background_sync_timer is not None:
        window.background_sync_timer.stop()
        window.background_sync_timer.deleteLater()
        window.background_sync_timer = None
    bundle.sync.on_progress = bundle.sync.on_received = bundle.sync.on_rebuild = None
    loop = open_event_loop()
    if loop is None:  # the app is going down: nothing can run it any more
        return None
    # a task of its own: a sign-out cancelling the window's ops never cuts the close off
    # (its wipe waits for it)
    closing = loop.create_task(close_branch_cache(bundle))
    window.ops.run(lambda: asyncio.shield(closing), network=False, reauth=False)
    return closing


def cache_rebuilding(window: MainWindow) -> None:
    """The cache was found damaged and is being replaced by an empty one: the window searches
    the platform, as while a cache is cold, until the full sync that follows is done
    (``MainWindow._synced`` then drops the notice: ``cache_notice``)."""
    bundle = window.branch_cache
    if bundle is None:
        return
    shown = cache_notice(bundle)  # a newer Teller's notice still up: this one replaces it
    if shown:
        window.banner.drop_line(shown)
    bundle.rebuilt_damaged = True
    window.banner.add_line(cache_damaged_text(), "warning")
    was_warm, window._cache_warm = window._cache_warm, False
    if was_warm:
        window.search_panel.run_search()  # the platform answers what the cache could not


def _search_failed(window: MainWindow, exc: BaseException) -> None:
    """A search met a damaged page: the platform answers it, and a sync rebuilds the cache
    (its engine replaces the file first)."""
    if isinstance(exc, CacheCorruptError) and window.branch_cache is not None:
        cache_rebuilding(window)
        window.sync_now()


def sync_line_text(kind: str, values: tuple[float, ...]) -> str:
    """The status bar's sync line: "synced" (at), "syncing", "progress" (done, total) or
    "failed"."""
    translate = QCoreApplication.translate
    if kind == "synced":
        # Kyiv's clock, as every other time on the desk (not this computer's zone); HH:MM
        # in both languages (the line is remade, not re-read, on a language switch)
        synced = kyiv_time(datetime.fromtimestamp(values[0], UTC))
        return translate("MainWindow", "Synced {time}").format(
            time=clock_text(synced, seconds=False))
    if kind == "progress":
        return translate("MainWindow", "Syncing… {done} of {total}").format(
            done=int(values[0]), total=int(values[1]))
    if kind == "failed":
        return translate("MainWindow", "Sync failed")
    return translate("MainWindow", "Syncing…")


def show_sync_line(window: MainWindowChrome, kind: str, *values: float) -> None:
    """Show the sync line and keep what it says, so a language switch remakes it
    (``retranslate_sync_line``)."""
    window.sync_line = (kind, values)
    window.sync_label.setText(sync_line_text(kind, values))


def retranslate_sync_line(window: MainWindowChrome) -> None:
    if window.sync_line is not None:
        window.sync_label.setText(sync_line_text(*window.sync_line))
