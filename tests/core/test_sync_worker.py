"""CacheWorker: every cache call runs on one dedicated thread, never the caller's."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from teller_app.cache import BranchCache
from teller_app.core.cache_worker import CacheWorker


def test_worker_runs_everything_on_one_thread(tmp_path: Path) -> None:
    async def scenario() -> set[int]:
        worker = CacheWorker()
        await worker.open(tmp_path / "c.db", bytes(32))
        await worker.upsert_customers([{"wallet_user_guid": "g1", "surname": "Бойко"}])
        idents = {await worker.call(threading.get_ident) for _ in range(5)}
        assert [r.guid for r in await worker.search("бойко")] == ["g1"]
        assert (await worker.count("бойко")).n == 1
        assert await worker.with_cache(BranchCache.integrity_check) == "ok"
        await worker.close()
        return idents

    idents = asyncio.run(scenario())
    assert len(idents) == 1 and threading.get_ident() not in idents
