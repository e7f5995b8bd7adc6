"""Branch cache sync (issue 5): ``full_sync_s`` and ``incremental_sync_ms``.

Each run is a fresh child process (``python -m benchmarks.sync --child ...``): a new
encrypted cache (random 32-byte SQLCipher key) opened through the real ``CacheWorker``, then
``SyncEngine.sync_now()`` as the head-office administrator (admin@demo.bank sees all
100 000 customers; a branch teller would sync only their branch's ~60 %). Then, three times:
another client (its own PlatformClient and login) changes 100 customers, and the timed
``sync_now()`` is incremental. The last run's cache is kept in benchmarks/.work for the
cache-search and memory benchmarks (with its key next to it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Context,
    Sandbox,
    emit,
    median,
    open_client,
    rnd,
    rss_mb,
    run_child,
)

ADMIN = "admin@demo.bank"
CHANGES = 100
INCREMENTAL_ROUNDS = 3
MAX_FULL_RUNS = 3


async def make_changes(client: Any, guids: list[str], round_no: int) -> None:
    """100 changes by another client: a KYC level flip on 100 customers."""
    from teller_app.platform import CustomerUpdate

    sem = asyncio.Semaphore(8)

    async def one(i: int, guid: str) -> None:
        async with sem:
            await client.update_customer(guid, CustomerUpdate(kyc_level=(round_no + i) % 3))

    await asyncio.gather(*(one(i, g) for i, g in enumerate(guids)))


async def child(data_dir: Path, cache_path: Path, rounds: int) -> dict[str, Any]:
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.core.sync import SyncEngine

    if cache_path.parent.exists():
        shutil.rmtree(cache_path.parent)
    cache_path.parent.mkdir(parents=True)
    key = os.urandom(32)
    (cache_path.parent / "key.hex").write_text(key.hex(), encoding="ascii")

    client = await open_client(data_dir, ADMIN)
    other = await open_client(data_dir, ADMIN)  # "another client": its own connection/login
    worker = CacheWorker()
    try:
        await worker.open(cache_path, key)
        engine = SyncEngine(client, worker, None)
        t0 = time.perf_counter()
        received = await engine.sync_now()
        full_s = time.perf_counter() - t0
        # The first full sync is followed by a background reconcile pass; let it finish so
        # the incremental rounds measure the steady state (its time is reported apart).
        t1 = time.perf_counter()
        if engine.reconcile_task is not None:
            await engine.reconcile_task
        reconcile_s = time.perf_counter() - t1
        stats = await worker.stats()
        rss_after = rss_mb()
        result: dict[str, Any] = {"full_sync_s": full_s, "reconcile_s": reconcile_s,
                                  "received": received,
                                  "cached": stats.count, "rss_after_full_mb": rss_after,
                                  "incremental_ms": [], "incremental_received": []}
        rng_page = await other.list_customers(limit=CHANGES, offset=1000)
        guids = [c.wallet_user_guid for c in rng_page.customers]
        for r in range(rounds):
            await make_changes(other, guids, r + 1)
            t0 = time.perf_counter()
            got = await engine.sync_now()
            result["incremental_ms"].append((time.perf_counter() - t0) * 1000)
            result["incremental_received"].append(got)
        result["cache_mb"] = cache_path.stat().st_size / 2**20
        return result
    finally:
        await worker.close()
        await client.aclose()
        await other.aclose()


def run(ctx: Context) -> dict[str, Any]:
    full, incr, first, rss = [], [], [], []
    runs = max(1, min(ctx.runs, MAX_FULL_RUNS))
    with Sandbox(ctx) as sandbox:
        for _ in range(runs):
            r = run_child("benchmarks.sync", "--child", str(sandbox.data_dir),
                          str(ctx.cache_path), str(INCREMENTAL_ROUNDS), timeout=1800)
            if r["cached"] < ctx.customers:
                ctx.notes.append(f"sync cached {r['cached']} < {ctx.customers} customers")
            if min(r["incremental_received"]) < CHANGES:
                ctx.notes.append(f"incremental sync received {r['incremental_received']}, "
                                 f"expected >= {CHANGES} each")
            full.append(r["full_sync_s"])
            incr += r["incremental_ms"]
            first.append(r["incremental_ms"][0])
            rss.append(r["rss_after_full_mb"])
            ctx.log(f"full {r['full_sync_s']:.1f} s ({r['received']} rows, cache "
                    f"{r['cache_mb']:.0f} MB), incremental {[rnd(v) for v in r['incremental_ms']]}"
                    f" ms ({r['incremental_received']} rows)")
    return {
        "full_sync_s": rnd(median(full), 2),
        "incremental_sync_ms": rnd(median(incr)),
        # the first incremental after a full sync re-reads the OVERLAP_SECONDS window before
        # the cursor: with bulk-created customers that is thousands of rows (reported apart)
        "incremental_first_after_full_ms": rnd(median(first)),
        "rss_sync_process_mb": rnd(median(rss)),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        data, cache, rounds = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
        emit(asyncio.run(child(data, cache, rounds)))
        sys.exit(0)
    print("use: python -m benchmarks --only sync", file=sys.stderr)
    sys.exit(2)
