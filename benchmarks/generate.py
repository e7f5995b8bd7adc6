"""The sandbox's one-time generation of N customers (issue 12 item 4: 1 000 000 in ≤ 2 min):
``sandbox_generate_s`` (``sandbox_generate_1m_s`` with ``--scale 1m``).

Each run starts a sandbox on a fresh data dir in benchmarks/.work and reads back the time the
sandbox recorded for generating its customers (commit and checkpoint included, start-up not),
then removes the dir; the figure is the median over runs. The
reused ``sandbox-N`` dir of the other benchmarks is never timed: its record is from whenever
it was generated, under whatever load.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from benchmarks.common import WORK, Context, median, rnd


def recorded_seconds(data_dir: Path) -> float:
    conn = sqlite3.connect(f"file:{data_dir / 'sandbox.db'}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT value FROM meta WHERE key = 'last_generation_seconds'").fetchone()
    finally:
        conn.close()
    if row is None:
        raise RuntimeError(f"{data_dir}: the sandbox recorded no generation time")
    return float(row[0])


def run(ctx: Context) -> dict[str, Any]:
    from teller_app.core.embedded_sandbox import start_sandbox

    seconds = []
    for i in range(ctx.runs):  # --scale 1m caps runs at 3 (~1 GB each)
        data = WORK / f"generate-{ctx.customers}"
        shutil.rmtree(data, ignore_errors=True)
        try:
            proc = start_sandbox(data, customers=ctx.customers, timeout=1800)
            proc.stop()
            seconds.append(recorded_seconds(data))
        finally:
            shutil.rmtree(data, ignore_errors=True)
        ctx.log(f"generation {i + 1}: {seconds[-1]:.1f} s")
    return {"sandbox_generate_s": rnd(median(seconds))}
