"""A sync's threads run below the UI thread (cache/thread_priority.py): on Linux, with a higher
nice value than the thread that started them."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path

import pytest

from teller_app.cache import BranchCache, fts_build, thread_priority
from teller_app.cache.rows import SyncState
from teller_app.core.cache_worker import CacheWorker
from tests.cache.test_bulk_load import pages, sync

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="a per-thread nice value is Linux's")


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.fixture(autouse=True)
def _room_below() -> None:
    if _nice() >= thread_priority.BACKGROUND_NICENESS:
        pytest.skip("this test process already runs at a background priority")


def test_the_cache_thread_runs_below_the_thread_that_awaits_it() -> None:
    async def cache_thread_nice() -> int:
        worker = CacheWorker()
        try:
            return await worker.call(_nice)
        finally:
            await worker.close()

    assert asyncio.run(cache_thread_nice()) == thread_priority.BACKGROUND_NICENESS
    assert _nice() < thread_priority.BACKGROUND_NICENESS  # this thread is left as it was


def test_the_search_index_build_runs_below_the_ui_thread_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int]] = []
    real = fts_build.lower_this_thread

    def lower_and_note() -> None:
        real()
        seen.append((threading.current_thread().name, _nice()))

    monkeypatch.setattr(fts_build, "lower_this_thread", lower_and_note)
    with BranchCache.open(tmp_path / "c.db", bytes(32)) as c:
        data = pages()
        sync(c, data, 5)
        c.store_page(data[5], SyncState(cursor=data[5][-1]["updated_at"], full_sync_done=True))
    assert seen == [("fts-build", thread_priority.BACKGROUND_NICENESS)]
