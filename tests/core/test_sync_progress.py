"""A first full sync reports rows downloaded as each page arrives (``on_received``), apart
from rows committed (``on_progress``, every BATCH_PAGES pages): on a slow link the status bar
otherwise said "Syncing…" with no count until the first commit (39 s on LTE)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

import teller_app.core.sync as sync
from teller_app.cache import cache_path
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.sync import BATCH_PAGES, SyncEngine
from tests.platform.sandbox_helpers import password_client

PAGE = 1


def test_rows_received_are_reported_before_the_first_commit(
    sandbox: SandboxProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "PROGRESS_INTERVAL", 0)  # every report (no time throttle)
    kyiv = str(sandbox.manifest["branches"][0]["guid"])
    events: list[tuple[str, int, int]] = []

    async def scenario() -> None:
        worker = CacheWorker()
        await worker.open(cache_path(tmp_path, "demo", kyiv), os.urandom(32))
        async with password_client(sandbox) as teller:
            engine = SyncEngine(
                teller, worker, [kyiv], page_size=PAGE,
                on_progress=lambda d, t: events.append(("committed", d, t)),
                on_received=lambda d, t: events.append(("received", d, t)),
            )
            await engine.sync_now()
        await worker.close()

    asyncio.run(scenario())
    committed = [e for e in events if e[0] == "committed"]
    received = [e for e in events if e[0] == "received"]
    total = received[-1][2]
    assert total > PAGE * BATCH_PAGES  # more than one transaction's worth of pages
    first_commit = events.index(committed[0])
    before = [done for kind, done, _t in events[:first_commit] if kind == "received"]
    # a count each page from the first one, long before the first commit
    assert before[:3] == [PAGE, 2 * PAGE, 3 * PAGE]
    assert len(before) >= BATCH_PAGES - 1
    assert committed[0][1] >= PAGE * BATCH_PAGES  # the commit count itself is unchanged
    assert received[-1][1] == committed[-1][1] == total  # both end on every row
    dones = [d for _k, d, _t in received]
    assert dones == sorted(dones)
