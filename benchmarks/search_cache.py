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

from benchmarks.common import (
    WORK,
    Context,
    emit,
    median,
    percentile,
    rnd,
    run_child,
    scaled,
    write_key,
)

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
    from teller_app.ui.customer_table_model import FIRST_PAGE, CustomerTableModel
    from teller_app.ui.search_panel import configure_results_table
    from teller_app.ui.search_sources import CacheSearchSource

    app = QApplication([sys.argv[0]])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    key = bytes.fromhex((cache_path.parent / "key.hex").read_text(encoding="ascii").strip())

    class Table(QTableView):
        """Reports the end of each paint of its viewport (the rows on screen)."""

        painted: asyncio.Future[float] | None = None
        shown = 0  # results_shown signals so far
        wanted = 1 << 62  # the first paint once ``shown`` reaches this resolves ``painted``

        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            if (self.painted is not None and not self.painted.done()
                    and self.shown >= self.wanted):
                self.painted.set_result(time.perf_counter())

    async def main() -> dict[str, Any]:
        worker = CacheWorker()
        t0 = time.perf_counter()
        await worker.open(cache_path, key)
        open_ms = (time.perf_counter() - t0) * 1000
        count = (await worker.stats()).count
        # Five pages from spread offsets: one sorted page of a 1M cache can be one surname.
        rng = random.Random(3)
        sample = []
        for _ in range(5):
            sample += await worker.customers_page(rng.randrange(0, max(1, count - 100)), 100)
        queries = queries_from(sample)
        source = CacheSearchSource(worker)

        worker_cpu: list[float] = []

        async def worker_pass() -> tuple[dict[str, list[float]], list[float]]:
            times: dict[str, list[float]] = {g: [] for g in queries}
            count_times: list[float] = []
            for group, qs in queries.items():
                for q in qs:
                    c = time.process_time()
                    t = time.perf_counter()
                    await source.first_page(q, FIRST_PAGE)
                    t1 = time.perf_counter()
                    await source.count(q)
                    count_times.append((time.perf_counter() - t1) * 1000)
                    times[group].append((time.perf_counter() - t) * 1000)
                    worker_cpu.append((time.process_time() - c) * 1000)
            return times, count_times

        ops = OpRunner()
        model = CustomerTableModel(ops)
        table = Table()
        table.setModel(model)
        configure_results_table(table)  # as the search panel sets it up
        table.resize(1000, 600)
        table.show()
        shown: asyncio.Queue[str] = asyncio.Queue()

        def on_shown(q: str) -> None:
            table.shown += 1
            shown.put_nowait(q)

        model.results_shown.connect(on_shown)
        counted: asyncio.Queue[bool] = asyncio.Queue()
        model.total_changed.connect(lambda _n, capped: counted.put_nowait(capped))

        shown_times: list[float] = []
        model_cpu: list[float] = []

        async def model_pass() -> dict[str, list[float]]:
            times: dict[str, list[float]] = {g: [] for g in queries}
            for group, qs in queries.items():
                for q in qs:
                    while not counted.empty():
                        counted.get_nowait()
                    table.painted = loop.create_future()
                    table.wanted = table.shown + 1  # the first paint with the new rows
                    c = time.process_time()
                    t = time.perf_counter()
                    model.search(source, q)
                    while await shown.get() != q:
                        pass
                    shown_times.append((time.perf_counter() - t) * 1000)
                    painted = await table.painted
                    times[group].append((painted - t) * 1000)
                    model_cpu.append((time.process_time() - c) * 1000)
                    # Untimed: the lazy count lands (a teller types ~5 keys a second).
                    while ops.is_busy("search-count"):
                        await counted.get()
            return times

        cold, _ = await worker_pass()  # warm-up (first touch of the encrypted pages)
        await model_pass()
        passes = [await worker_pass() for _ in range(runs)]
        model_passes = [await model_pass() for _ in range(runs)]
        await worker.close()
        result: dict[str, Any] = {"count": count, "open_ms": open_ms,
                                  "cold_max_ms": max(max(v) for v in cold.values()),
                                  "queries": queries}
        all_p50, all_p95 = [], []
        for p, _c in passes:
            flat = [t for v in p.values() for t in v]
            all_p50.append(percentile(flat, 50))
            all_p95.append(percentile(flat, 95))
        result["p50"] = median(all_p50)
        result["p95"] = median(all_p95)
        result["count_p95"] = median([percentile(c, 95) for _p, c in passes])
        for group in queries:
            result[f"p95_{group}"] = median([percentile(p[group], 95) for p, _c in passes])
            result[f"p50_{group}"] = median([percentile(p[group], 50) for p, _c in passes])
            result[f"model_p95_{group}"] = median([percentile(m[group], 95)
                                                   for m in model_passes])
        flat_models = [[t for v in m.values() for t in v] for m in model_passes]
        result["model_p50"] = median([percentile(m, 50) for m in flat_models])
        result["model_p95"] = median([percentile(m, 95) for m in flat_models])
        # CPU time of the whole process (UI + DB threads) per keystroke: the work, which the
        # shared machine's load does not stretch the way it stretches wall time.
        result["cpu_p95"] = percentile(worker_cpu[len(worker_cpu) // (runs + 1):], 95)
        result["model_cpu_p95"] = percentile(model_cpu[len(model_cpu) // (runs + 1):], 95)
        result["model_shown_p50"] = percentile(shown_times, 50)
        result["model_shown_p95"] = percentile(shown_times, 95)
        return result

    with loop:
        return dict(loop.run_until_complete(main()))


MILLION = 1_000_000


def million_cache(ctx: Context) -> tuple[Path, str]:
    """The 1 000 000-customer cache: the one ``--scale 1m`` synced, else a synthetic one made
    once through the cache's own write API (``teller_app.cache.bench`` names, 10 % Latin)."""
    synced = WORK / f"cache-{MILLION}" / "branch.db"
    if synced.exists() and (synced.parent / "key.hex").exists():
        return synced, "synced by --scale 1m"
    synthetic = WORK / f"synthetic-{MILLION}" / "branch.db"
    if not synthetic.exists():
        ctx.log("no 1M cache yet: building a synthetic one (once, ~10 min)")
        build_synthetic_million(synthetic)
    return synthetic, "synthetic (teller_app.cache.bench generator)"


def build_synthetic_million(path: Path, n: int = MILLION, chunk: int = 50_000) -> None:
    import secrets

    from teller_app.cache.bench import synthetic_customers
    from teller_app.cache.store import BranchCache

    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_name("branch.tmp.db")
    cache = BranchCache.open(tmp, key)
    try:
        for start in range(0, n, chunk):
            data = synthetic_customers(min(chunk, n - start), seed=7 + start)
            for i, row in enumerate(data):  # unique GUIDs across chunks
                row["wallet_user_guid"] = f"{start + i:08x}" + row["wallet_user_guid"][8:]
            for s in range(0, len(data), 1000):
                cache.upsert_customers(data[s:s + 1000])
    finally:
        cache.close()
    write_key(path.parent / "key.hex", key)
    tmp.rename(path)


def figures(r: dict[str, Any], tag: str) -> dict[str, Any]:
    """The figures of one cache; ``tag`` "1m" names them as ``--scale 1m`` does."""
    out = {"search_cache_p50_ms": rnd(r["p50"], 2),
           "search_cache_p95_ms": rnd(r["p95"], 2),
           "search_cache_count_p95_ms": rnd(r["count_p95"], 2),
           "search_model_p50_ms": rnd(r["model_p50"], 2),
           "search_model_p95_ms": rnd(r["model_p95"], 2),
           "search_model_shown_p95_ms": rnd(r["model_shown_p95"], 2),
           "search_cache_cpu_p95_ms": rnd(r["cpu_p95"], 2),
           "search_model_cpu_p95_ms": rnd(r["model_cpu_p95"], 2)}
    for group in r["queries"]:
        g = group.replace("-", "")
        out[f"search_cache_p95_{g}_ms"] = rnd(r[f"p95_{group}"], 2)
        out[f"search_model_p95_{g}_ms"] = rnd(r[f"model_p95_{group}"], 2)
    return {scaled(k, tag): v for k, v in out.items()} if tag else out


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
    out: dict[str, Any] = {}
    runs = max(3, ctx.runs)
    caches = [(ctx.cache_path, "", "synced")]
    if ctx.customers != MILLION:
        path, how = million_cache(ctx)
        caches.append((path, "1m", how))
    for path, tag, how in caches:
        r = run_child("benchmarks.search_cache", "--child", str(path), str(runs), timeout=1800)
        ctx.log(f"cache{'_' + tag if tag else ''}: {r['count']} customers ({how}), opened in "
                f"{r['open_ms']:.0f} ms, cold max {r['cold_max_ms']:.1f} ms; queries "
                f"{r['queries']['3-cyr'][:3]}, {r['queries']['6-lat'][:3]}...")
        out.update(figures(r, tag))
        if tag:
            ctx.notes.append(f"search_cache: 1M figures over a {r['count']}-customer cache, "
                             f"{how}")
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        emit(child(Path(sys.argv[2]), int(sys.argv[3])))
        os._exit(0)
    print("use: python -m benchmarks --only search_cache", file=sys.stderr)
    sys.exit(2)
