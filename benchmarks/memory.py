"""Resident memory: ``rss_mb`` and ``rss_cached_mb``.

- ``rss_mb``: RSS of the ``teller-app --smoke-test`` process (main window open, first results
  painted), read with psutil from outside the moment it prints ``ready in``. The embedded
  sandbox is its own process and is not counted (``sandbox_rss_mb`` is reported apart).
  Shares its runs with the start benchmark when both run.
- ``rss_cached_mb``: a child process holding the 100 000-customer encrypted cache (opened with
  the real ``CacheWorker``, 48 searches run so SQLite's page cache is warm) AND the real
  ``MainWindow`` signed in as the demo teller against the 100 000-customer sandbox, given that
  cache as the app does (a ``ui/cache_wiring.BranchCacheBundle``: searches go to the cache; its
  first catch-up sync runs), first results painted. Median over runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import Context, Sandbox, emit, median, rnd, rss_mb, run_child

TELLER = "teller.kyiv@demo.bank"


def _bundle(session: Any, worker: Any, cache_path: Path) -> Any:
    """The opened cache as the app hands it to MainWindow (ui/cache_wiring.py), built
    around our worker; None when that wiring is not there."""
    try:
        from teller_app.core.connectivity import Connectivity
        from teller_app.core.sync import SyncEngine
        from teller_app.ui.cache_wiring import BranchCacheBundle
    except ImportError:
        return None
    client = session.client
    connectivity = Connectivity(lambda: client.list_customers(limit=1))
    sync = SyncEngine(client, worker, None, connectivity=connectivity)
    return BranchCacheBundle(worker, sync, connectivity, cache_path, True)


def child(data_dir: Path, cache_path: Path) -> dict[str, Any]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from benchmarks.common import open_session
    from benchmarks.search_cache import queries_from
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    key = bytes.fromhex((cache_path.parent / "key.hex").read_text(encoding="ascii").strip())

    async def main() -> dict[str, Any]:
        before = rss_mb()
        worker = CacheWorker()
        await worker.open(cache_path, key)
        sample = await worker.customers_page(1000, 500)
        for qs in queries_from(sample).values():
            for q in qs:
                await worker.search(q, 0, 100)
                await worker.count(q)
        with_cache = rss_mb()
        session = await open_session(data_dir, TELLER)
        ops = OpRunner()
        window = MainWindow(session, ops, profile_name="sandbox",
                            branch_cache=_bundle(session, worker, cache_path))
        shown: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        window.search_panel.results_shown.connect(
            lambda q: shown.done() or shown.set_result(q))
        window.show()
        window.start()
        await asyncio.wait_for(shown, 60)
        window.search_panel.table.viewport().repaint()
        await asyncio.sleep(0.5)
        result = {"with_bundle": window.branch_cache is not None, "rss_start_mb": before,
                  "rss_cache_only_mb": with_cache, "rss_mb": rss_mb(),
                  "cached": (await worker.stats()).count}
        return result

    with loop:
        return dict(loop.run_until_complete(main()))


def run(ctx: Context) -> dict[str, Any]:
    import psutil

    from benchmarks import start

    out: dict[str, Any] = {}
    if ctx.scale is None:  # the smoke test's own demo sandbox does not depend on the scale
        smokes = start.smoke_runs(ctx)
        rss = [s["rss_mb"] for s in smokes if "rss_mb" in s]
        ctx.log(f"rss_mb (smoke test) runs: {[rnd(v) for v in rss]}")
        out["rss_mb"] = rnd(median(rss))
    if not (ctx.cache_path.exists() and ctx.cache_key_path.exists()):
        ctx.notes.append("rss_cached_mb skipped: no synced cache (run --only sync first)")
        return out
    cached = []
    with Sandbox(ctx) as sandbox:
        for _ in range(max(1, min(ctx.runs, 3))):
            r = run_child("benchmarks.memory", "--child", str(sandbox.data_dir),
                          str(ctx.cache_path), timeout=600)
            cached.append(r["rss_mb"])
            ctx.log(f"rss (cache bundle: {r['with_bundle']}): start {r['rss_start_mb']:.0f} MB,"
                    f" + cache ({r['cached']} customers) {r['rss_cache_only_mb']:.0f} MB,"
                    f" + main window {r['rss_mb']:.0f} MB")
        with contextlib.suppress(psutil.Error):
            out["sandbox_rss_mb"] = rnd(psutil.Process(sandbox.process.pid).memory_info().rss
                                        / 2**20)
    out["rss_cached_mb"] = rnd(median(cached))
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        emit(child(Path(sys.argv[2]), Path(sys.argv[3])))
        os._exit(0)
    print("use: python -m benchmarks --only memory", file=sys.stderr)
    sys.exit(2)
