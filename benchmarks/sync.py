"""Branch cache sync (issues 5, 12): ``full_sync_s``, ``paging_s``, ``sync_ratio`` and
``incremental_sync_ms``.

Each run is a fresh child process (``python -m benchmarks.sync --child ...``): a new
encrypted cache (random 32-byte SQLCipher key) opened through the real ``CacheWorker``, then
``SyncEngine.sync_now()`` as the head-office administrator (admin@demo.bank sees all
100 000 customers; a branch teller would sync only their branch's ~60 %). Then, three times:
another client (its own PlatformClient and login) changes 100 customers, and the timed
``sync_now()`` is incremental. The last run's cache is kept in benchmarks/.work for the
cache-search and memory benchmarks (with its key next to it).

The floor, ``paging_s``: in the same child, before the sync, the platform client pages the
same list the same way (keyset on ``updated_at``, the sync's page size, decoded and validated
as the sync's pages are) one page after the other, storing nothing. ``sync_ratio`` =
full sync / paging, each run's own pair, median over runs.
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
    write_key,
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


async def bare_paging(client: Any, page_size: int) -> tuple[float, int]:
    """Page the whole customers list as the sync does, storing nothing: (seconds, rows)."""
    from teller_app.cache.convert import canonical_ts

    cursor: str | None = None
    skip = rows = 0
    t0 = time.perf_counter()
    while True:
        page = await client.list_customer_records(
            min_updated_at=cursor, ordering="updated_at", offset=skip, limit=page_size)
        got = list(page.customers)
        rows += len(got)
        if not got or skip + len(got) >= int(page.total):
            return time.perf_counter() - t0, rows
        last = canonical_ts(got[-1]["updated_at"])
        tail = sum(1 for r in got if canonical_ts(r["updated_at"]) == last)
        skip = skip + tail if last == cursor else tail
        cursor = last


async def child(data_dir: Path, cache_path: Path, rounds: int, reconcile: bool = True
                ) -> dict[str, Any]:
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.core.sync import PAGE_SIZE, SyncEngine

    if cache_path.parent.exists():
        shutil.rmtree(cache_path.parent)
    cache_path.parent.mkdir(parents=True)
    key = os.urandom(32)
    write_key(cache_path.parent / "key.hex", key)

    client = await open_client(data_dir, ADMIN)
    other = await open_client(data_dir, ADMIN)  # "another client": its own connection/login
    worker = CacheWorker()
    try:
        paging_s, paged = await bare_paging(other, PAGE_SIZE)
        await worker.open(cache_path, key)
        engine = SyncEngine(client, worker, None)
        t0 = time.perf_counter()
        received = await engine.sync_now()
        full_s = time.perf_counter() - t0
        # The first full sync is followed by a background reconcile pass; let it finish so
        # the incremental rounds measure the steady state (its time is reported apart).
        t1 = time.perf_counter()
        if not reconcile:
            await engine.stop()  # --scale: a second read of 1 000 000 rows, only once
        elif engine.reconcile_task is not None:
            await engine.reconcile_task
        reconcile_s = time.perf_counter() - t1
        stats = await worker.stats()
        rss_after = rss_mb()
        result: dict[str, Any] = {"full_sync_s": full_s, "reconcile_s": reconcile_s,
                                  "paging_s": paging_s, "paged": paged,
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
    full, incr, first, rss, paging, ratio, cache_mb = [], [], [], [], [], [], []
    runs = max(1, min(ctx.runs, MAX_FULL_RUNS))
    with Sandbox(ctx) as sandbox:
        for i in range(runs):
            # --scale: the incremental rounds (and the reconcile pass before them) only in
            # the last of 3 runs, whose cache the search and memory benchmarks use
            last = i == runs - 1 and runs >= MAX_FULL_RUNS
            rounds = INCREMENTAL_ROUNDS if ctx.scale is None or last else 0
            r = run_child("benchmarks.sync", "--child", str(sandbox.data_dir),
                          str(ctx.cache_path), str(rounds), str(int(rounds > 0)),
                          timeout=3600)
            if r["cached"] < ctx.customers:
                ctx.notes.append(f"sync cached {r['cached']} < {ctx.customers} customers")
            if r["incremental_received"] and min(r["incremental_received"]) < CHANGES:
                ctx.notes.append(f"incremental sync received {r['incremental_received']}, "
                                 f"expected >= {CHANGES} each")
            full.append(r["full_sync_s"])
            paging.append(r["paging_s"])
            ratio.append(r["full_sync_s"] / r["paging_s"])
            cache_mb.append(r["cache_mb"])
            incr += r["incremental_ms"]
            first += r["incremental_ms"][:1]
            rss.append(r["rss_after_full_mb"])
            ctx.log(f"paging {r['paging_s']:.1f} s ({r['paged']} rows), "
                    f"full {r['full_sync_s']:.1f} s ({r['received']} rows, cache "
                    f"{r['cache_mb']:.0f} MB), incremental {[rnd(v) for v in r['incremental_ms']]}"
                    f" ms ({r['incremental_received']} rows)")
    out = {
        "full_sync_s": rnd(median(full), 2),
        "paging_s": rnd(median(paging), 2),
        "sync_ratio": rnd(median(ratio), 2),
        "cache_mb": rnd(median(cache_mb)),
        "incremental_sync_ms": rnd(median(incr)),
        # the first incremental after a full sync re-reads the OVERLAP_SECONDS window before
        # the cursor: with bulk-created customers that is thousands of rows (reported apart)
        "incremental_first_after_full_ms": rnd(median(first)),
        "rss_sync_process_mb": rnd(median(rss)),
    }
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        data, cache, rounds = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
        emit(asyncio.run(child(data, cache, rounds, sys.argv[5:6] != ["0"])))
        sys.exit(0)
    print("use: python -m benchmarks --only sync", file=sys.stderr)
    sys.exit(2)
