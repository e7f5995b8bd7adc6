"""UI-thread stalls during a full sync: ``max_stall_ms``.

A child process runs a QApplication (offscreen) with a qasync event loop, as the app does,
and a 5 ms QTimer that records the gap between its ticks, while the real ``SyncEngine`` fills
a fresh encrypted cache (``CacheWorker`` thread) from the 100 000-customer sandbox. The stall
of a tick is ``gap - 5 ms``; ``max_stall_ms`` is the median over runs of each run's worst
stall (``stall_p99_ms`` the same for the 99th percentile). Network I/O runs on the UI thread;
the JSON decoding and validation of each 1000-row page and SQLite run on the cache thread.
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import WORK, Context, Sandbox, emit, median, percentile, rnd, run_child

TICK_MS = 5
ADMIN = "admin@demo.bank"
MAX_RUNS = 3
LATE_S = 0.021  # STALL_TRACE: a tick this late (a stall over 16 ms) dumps every thread's stack
IDLE_SECONDS = 3.0


def _late_tick_trace() -> Any:
    """``STALL_TRACE=FILE``: every thread's stack is appended to FILE whenever a tick is
    ``LATE_S`` late. ``faulthandler`` dumps from its own C thread, without the GIL, so the
    stacks show what holds the UI thread up while it does (how the 1M stalls were found)."""
    path = os.environ.get("STALL_TRACE")
    return open(path, "a", encoding="utf-8") if path else None  # open for the child's life


def child(data_dir: Path, cache_dir: Path) -> dict[str, Any]:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    from benchmarks.common import open_client
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.core.sync import SyncEngine

    app = QApplication([sys.argv[0]])
    window = QLabel("sync")  # something on screen, as in the app
    window.show()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    gaps: list[float] = []
    last = [time.perf_counter()]
    slowest_at: list[float] = [0.0]
    progress = [0]

    trace = _late_tick_trace()

    def tick() -> None:
        now = time.perf_counter()
        gap = (now - last[0]) * 1000
        if gaps and gap > max(gaps):
            slowest_at[0] = progress[0]
        gaps.append(gap)
        last[0] = now
        if trace is not None:
            faulthandler.dump_traceback_later(LATE_S, file=trace)

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)

    async def main() -> dict[str, Any]:
        if cache_dir.exists():
            shutil.rmtree(cache_dir)
        cache_dir.mkdir(parents=True)
        client = await open_client(data_dir, ADMIN)
        worker = CacheWorker()
        await worker.open(cache_dir / "branch.db", os.urandom(32))
        engine = SyncEngine(client, worker, None,
                            on_progress=lambda done, _total: progress.__setitem__(0, done))
        await asyncio.sleep(0.2)
        last[0] = time.perf_counter()
        timer.start()
        await asyncio.sleep(IDLE_SECONDS)  # the floor: the same ticks, no sync
        idle = [max(0.0, g - TICK_MS) for g in gaps]
        gaps.clear()
        t0 = time.perf_counter()
        received = await engine.sync_now()
        elapsed = time.perf_counter() - t0
        timer.stop()
        faulthandler.cancel_dump_traceback_later()
        await engine.stop()  # the background reconcile pass that follows a first sync
        await worker.close()
        await client.aclose()
        stalls = [max(0.0, g - TICK_MS) for g in gaps]
        return {"received": received, "sync_s": elapsed, "ticks": len(gaps),
                "max_stall_ms": max(stalls), "p99_stall_ms": percentile(stalls, 99),
                "stalls_over_16": sum(1 for s in stalls if s > 16),
                "idle_max_stall_ms": max(idle), "idle_p99_stall_ms": percentile(idle, 99),
                "load": os.getloadavg()[0],
                "worst_at_row": slowest_at[0]}

    with loop:
        result = loop.run_until_complete(main())
    shutil.rmtree(cache_dir, ignore_errors=True)
    return result


def run(ctx: Context) -> dict[str, Any]:
    worst, p99, idle, late = [], [], [], []
    with Sandbox(ctx) as sandbox:
        for _ in range(max(1, min(ctx.runs, MAX_RUNS))):
            r = run_child("benchmarks.stall", "--child", str(sandbox.data_dir),
                          str(WORK / f"stall-cache-{ctx.customers}"), timeout=1800)
            worst.append(r["max_stall_ms"])
            p99.append(r["p99_stall_ms"])
            idle.append(r["idle_max_stall_ms"])
            late.append(r["stalls_over_16"])
            ctx.log(f"stall: max {r['max_stall_ms']:.1f} ms, p99 {r['p99_stall_ms']:.1f} ms, "
                    f"{r['stalls_over_16']} of {r['ticks']} ticks > 16 ms, worst near row "
                    f"{r['worst_at_row']}, sync under Qt {r['sync_s']:.1f} s; idle floor max "
                    f"{r['idle_max_stall_ms']:.1f} ms; load {r['load']:.1f}")
    return {"max_stall_ms": rnd(median(worst)), "stall_p99_ms": rnd(median(p99)),
            "stall_idle_ms": rnd(median(idle)), "stall_late_ticks": median(late)}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        emit(child(Path(sys.argv[2]), Path(sys.argv[3])))
        os._exit(0)  # skip Qt/qasync teardown noise
    print("use: python -m benchmarks --only stall", file=sys.stderr)
    sys.exit(2)
