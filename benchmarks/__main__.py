"""``python -m benchmarks`` (from the repository root): run the benchmarks, write
benchmarks/results.json and print a table with each figure's goal.

    python -m benchmarks                       # everything, 100 000 customers, 5 runs
    python -m benchmarks --only search_cache   # one benchmark (repeatable: --only a --only b)
    python -m benchmarks --customers 5000 --runs 3   # a quicker run
    python -m benchmarks --app dist/teller/teller    # start/memory against the frozen bundle
    python -m benchmarks --scale 1m            # head office with 1 000 000 customers (~30 min)

Exit code 0 even when a goal is missed (the table says FAIL); 1 only if a benchmark crashed.
results.json is merged: figures of benchmarks not run this time are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback
from typing import Any

from benchmarks import common

# --scale 1m: the benchmarks whose figures depend on the number of customers; their figures
# are recorded with "_1m" in the name (full_sync_s -> full_sync_1m_s, next to the 100 000 ones)
SCALES = {"1m": 1_000_000}
SCALE_ORDER = ("generate", "sync", "search_cache", "stall", "memory")

ORDER = ("start", "search_server", "generate", "sync", "search_cache", "stall", "memory",
         "approval_notify", "hub_auth", "audit_trail", "redaction", "bundle")


def table(results: dict[str, Any], only: list[str]) -> str:
    lines = [f"{'figure':<32} {'value':>10}  {'goal':>10}  result"]
    for name, value in results.items():
        if name.startswith("_") or not isinstance(value, int | float):
            continue
        goal = common.GOALS.get(name)
        if goal is None:
            lines.append(f"{name:<32} {value:>10}")
            continue
        limit, unit = goal
        verdict = "pass" if value <= limit else "FAIL"
        lines.append(f"{name:<32} {value:>10}  {'≤ ' + str(limit) + ' ' + unit:>10}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", choices=ORDER, help="run only this benchmark")
    p.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--scale", choices=sorted(SCALES), help="the large-scale run: "
                   f"{', '.join(SCALE_ORDER)} with that many customers, 3 runs, figures "
                   "named *_1m_*")
    p.add_argument("--app", help="app executable for start/memory (default: python -m "
                   "teller_app), e.g. dist/teller/teller")
    p.add_argument("--output", default=str(common.RESULTS))
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)

    os.chdir(common.ROOT)
    os.umask(0o077)  # keys, caches and hub data of the runs (and their children's) are private
    common.WORK.mkdir(parents=True, exist_ok=True, mode=0o700)
    ctx = common.Context(customers=args.customers, runs=max(1, args.runs), verbose=args.verbose)
    ctx.app = args.app  # type: ignore[attr-defined]
    only = args.only or list(ORDER)
    tag = args.scale
    if tag:
        ctx.customers = SCALES[tag]
        ctx.scale = tag
        ctx.runs = min(ctx.runs, 3)
        only = [n for n in (args.only or SCALE_ORDER) if n in SCALE_ORDER]
    try:
        with open(args.output, encoding="utf-8") as f:
            results: dict[str, Any] = json.load(f)
    except (OSError, ValueError):
        results = {}
    crashed = []
    for name in ORDER:
        if name not in only:
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        module = __import__(f"benchmarks.{name}", fromlist=["run"])
        t0 = time.perf_counter()
        try:
            figures = module.run(ctx)
        except Exception:
            traceback.print_exc()
            crashed.append(name)
            continue
        if tag:
            figures = {common.scaled(k, tag): v for k, v in figures.items()}
        results.update(figures)
        print(f"   {name}: {figures}  ({time.perf_counter() - t0:.0f} s)", file=sys.stderr,
              flush=True)
    meta: dict[str, Any] = {
        "_customers": ctx.customers, "_runs": ctx.runs,
        "_measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "_machine": f"{platform.platform()}, {os.cpu_count()} cpu, Python "
                    f"{platform.python_version()}",
        "_load_average": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
    }
    if args.app:
        meta["_app"] = args.app
    if ctx.notes:
        meta["_notes"] = "; ".join(ctx.notes)
    results.update({common.scaled(k, tag): v for k, v in meta.items()} if tag else meta)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(table(results, only))
    for note in ctx.notes:
        print(f"note: {note}")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
