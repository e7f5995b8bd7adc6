"""The main window on a real SQLCipher cache with a damaged page (after a real sync from the
real sandbox): the first search that reads the page finds it damaged; the desk says so,
searches the platform as it does while a cache is cold (the teller gets answers, never
"Unexpected error"), and a sync replaces the file and syncs it in full, after which the cache
answers again and the notice goes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cache_damage import customers_root_page, damage_page

from teller_app.ui.search_sources import CacheSearchSource, PlatformSearchSource
from tests.secrets.keyring_fakes import MemoryKeyring
from tests.ui.conftest import make_window, open_session, ops  # noqa: F401  (ops: fixture)

DAMAGED = ("The local cache was damaged and is being rebuilt from the platform; searching "
           "the platform directly meanwhile.")


@pytest.mark.slow
def test_the_desk_searches_the_platform_while_a_damaged_cache_is_rebuilt(
        qtbot: Any, ops: Any, sandbox: Any, arun: Any) -> None:  # noqa: F811
    import keyring

    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

    keyring.set_keyring(MemoryKeyring())  # the key outlives an open (the fixture restores)
    session = open_session(arun, sandbox)
    first = arun(open_branch_cache(session))
    try:
        arun(first.sync.sync_now(), timeout=60000)
        surname = next(r.surname for r in arun(first.worker.customers_page(0, 100))
                       if r.surname)
        page = arun(customers_root_page(first))
    finally:
        arun(close_branch_cache(first))
    damage_page(first.path, page)

    bundle = arun(open_branch_cache(session))
    assert bundle.warm  # page 1 is sound: nothing has read the damaged page yet
    gate = asyncio.Event()  # the rebuild waits until the platform's answers are seen
    rebuild = bundle.worker.rebuild

    async def held_rebuild() -> None:
        await gate.wait()
        await rebuild()

    bundle.worker.rebuild = held_rebuild  # type: ignore[method-assign]
    window = make_window(qtbot, ops, session, sandbox, branch_cache=bundle)
    panel = window.search_panel
    try:
        # the start page's search reads the page (or the first sync does): found damaged
        qtbot.waitUntil(lambda: bundle.worker.damaged and not window._cache_warm,
                        timeout=20000)
        assert DAMAGED in window.banner.text().split("\n")
        assert isinstance(window._source_for(None), PlatformSearchSource)
        panel.search_box.setText(surname)
        qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() > 0,
                        timeout=20000)
        assert isinstance(panel.model._source, PlatformSearchSource)  # the platform answered
        assert surname in {panel.model.row_at(i).surname
                           for i in range(panel.model.rowCount())}
        assert "error" not in panel.summary.text().lower()
        gate.set()
        qtbot.waitUntil(lambda: window._cache_warm, timeout=60000)  # rebuilt by the sync
        assert not bundle.worker.damaged and "Synced" in window.sync_label.text()
        assert DAMAGED not in window.banner.text()
        qtbot.waitUntil(lambda: isinstance(panel.model._source, CacheSearchSource)
                        and panel.model.query == surname and panel.model.rowCount() > 0,
                        timeout=10000)  # the cache answers again
        assert surname in {panel.model.row_at(i).surname
                           for i in range(panel.model.rowCount())}
    finally:
        gate.set()
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
        arun(session.close())
