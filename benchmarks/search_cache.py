"""Search in the local branch cache (issue 5): ``search_cache_p50_ms`` / ``search_cache_p95_ms``.

Over the 100 000-customer encrypted cache the sync benchmark leaves in benchmarks/.work (run
``--only sync`` first; ``python -m benchmarks`` does). A child process opens it through the
real ``CacheWorker`` in a qasync loop and, for 1-, 3- and 6-character prefixes of 8 real
surnames/first names typed in Cyrillic and in Latin (``teller_app.cache.translit.to_latin``),
times keystroke -> results ready:

- worker path (the headline figures): ``CacheSearchSource.first_page(query, 100)`` — the
  first page on the DB thread, plus the count when the page is full — awaited from the loop,
  exactly what ``CustomerTableModel.search`` runs;
- model path (``search_model_*``): ``CustomerTableModel.search(source, query)`` through the
  app's ``OpRunner`` until ``results_shown`` fires, then the visible table is repainted.

One untimed pass warms the cache; then ``runs`` timed passes (p50/p95 per pass; medians over
passes).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Context, emit, median, percentile, rnd, run_child

LENGTHS = (1, 3, 6)
WORDS = 8


def queries_from(rows: list[Any], seed: int = 11) -> dict[str, list[str]]:
    from teller_app.cache.translit import to_latin

    rng = random.Random(seed)
    words: list[str] = []
    for r in rows:
        for w in (r.surname, r.name):
            if w and len(w) >= 6 and w not in words and not w.isascii():
                words.append(w)
    rng.shuffle(words)
    words = words[:WORDS]
    out: dict[str, list[str]] = {}
    for n in LENGTHS:
        out[f"{n}-cyr"] = [w[:n].lower() for w in words]
        out[f"{n}-lat"] = [to_latin(w).lower()[:n] for w in words]
    return out


def child(cache_path: Path, runs: int) -> dict[str, Any]:
    import qasync
    from PySide6.QtWidgets import QApplication, QTableView

    from teller_app.core.cache_worker import CacheWorker
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.customer_table_model import CustomerTableModel
    from teller_app.ui.search_sources import CacheSearchSource

    app = QApplication([sys.argv[0]])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    key = bytes.fromhex((cache_path.parent / "key.hex").read_text(encoding="ascii").strip())

    async def main() -> dict[str, Any]:
        worker = CacheWorker()
        t0 = time.perf_counter()
        await worker.open(cache_path, key)
        open_ms = (time.perf_counter() - t0) * 1000
        count = (await worker.stats()).count
        sample = await worker.customers_page(random.Random(3).randrange(0, max(1, count - 500)),
                                             500)
        queries = queries_from(sample)
        source = CacheSearchSource(worker)

        async def worker_pass() -> dict[str, list[float]]:
            times: dict[str, list[float]] = {g: [] for g in queries}
            for group, qs in queries.items():
                for q in qs:
                    t = time.perf_counter()
                    await source.first_page(q, 100)
                    times[group].append((time.perf_counter() - t) * 1000)
            return times

        ops = OpRunner()
        model = CustomerTableModel(ops)
        table = QTableView()
        table.setModel(model)
        table.resize(1000, 600)
        table.show()
        shown: asyncio.Queue[str] = asyncio.Queue()
        model.results_shown.connect(lambda q: shown.put_nowait(q))

        shown_times: list[float] = []

        async def model_pass() -> list[float]:
            times = []
            for qs in queries.values():
                for q in qs:
                    t = time.perf_counter()
                    model.search(source, q)
                    while await shown.get() != q:
                        pass
                    shown_times.append((time.perf_counter() - t) * 1000)
                    table.viewport().repaint()
                    times.append((time.perf_counter() - t) * 1000)
            return times

        cold = await worker_pass()  # warm-up (first touch of the encrypted pages)
        await model_pass()
        passes = [await worker_pass() for _ in range(runs)]
        model_passes = [await model_pass() for _ in range(runs)]
        await worker.close()
        result: dict[str, Any] = {"count": count, "open_ms": open_ms,
                                  "cold_max_ms": max(max(v) for v in cold.values()),
                                  "queries": queries}
        all_p50, all_p95 = [], []
        for p in passes:
            flat = [t for v in p.values() for t in v]
            all_p50.append(percentile(flat, 50))
            all_p95.append(percentile(flat, 95))
        result["p50"] = median(all_p50)
        result["p95"] = median(all_p95)
        for group in queries:
            result[f"p95_{group}"] = median([percentile(p[group], 95) for p in passes])
            result[f"p50_{group}"] = median([percentile(p[group], 50) for p in passes])
        result["model_p50"] = median([percentile(m, 50) for m in model_passes])
        result["model_p95"] = median([percentile(m, 95) for m in model_passes])
        result["model_shown_p50"] = percentile(shown_times, 50)
        result["model_shown_p95"] = percentile(shown_times, 95)
        return result

    with loop:
        return dict(loop.run_until_complete(main()))


def run(ctx: Context) -> dict[str, Any]:
    if not (ctx.cache_path.exists() and ctx.cache_key_path.exists()):
        from benchmarks import sync

        ctx.log("no synced cache yet: running one full sync first")
        saved = ctx.runs
        ctx.runs = 1
        try:
            sync.run(ctx)
        finally:
            ctx.runs = saved
    r = run_child("benchmarks.search_cache", "--child", str(ctx.cache_path), str(ctx.runs),
                  timeout=1800)
    ctx.log(f"cache: {r['count']} customers, opened in {r['open_ms']:.0f} ms, cold max "
            f"{r['cold_max_ms']:.1f} ms; queries {r['queries']['3-cyr'][:3]}, "
            f"{r['queries']['6-lat'][:3]}...")
    out = {"search_cache_p50_ms": rnd(r["p50"], 2), "search_cache_p95_ms": rnd(r["p95"], 2),
           "search_model_p50_ms": rnd(r["model_p50"], 2),
           "search_model_p95_ms": rnd(r["model_p95"], 2),
           "search_model_shown_p95_ms": rnd(r["model_shown_p95"], 2)}
    for group in r["queries"]:
        out[f"search_cache_p95_{group.replace('-', '')}_ms"] = rnd(r[f"p95_{group}"], 2)
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        emit(child(Path(sys.argv[2]), int(sys.argv[3])))
        os._exit(0)
    print("use: python -m benchmarks --only search_cache", file=sys.stderr)
    sys.exit(2)
