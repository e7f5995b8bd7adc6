"""The frozen Linux bundle (issue 12 item 6): ``bundle_mb`` (``dist/teller`` on disk) and the
bundle's ``--smoke-test`` time, the app's own ``ready in N ms`` (process start → embedded
sandbox + hub started → demo teller signed in → first results painted).

    packaging/build_linux_bundle.sh              # build dist/teller first
    python -m benchmarks --only bundle --app dist/teller/teller --runs 5

- ``bundle_smoke_ms``: first start, a fresh data dir each run (the sandbox generates its demo
  world, the hub copies its empty database at head; the demo customers' secrets are issued
  after the first results, so a smoke test that ends there does not wait for them);
- ``bundle_smoke_reuse_ms``: second start, one data dir reused by every run (what a teller's
  machine does every morning);
- ``bundle_smoke_wall_ms``: first start timed here, from just before spawn to the ``ready``
  line (a check on the app's own clock, which starts at process creation);
- ``bundle_smoke_cpu_s`` / ``bundle_smoke_reuse_cpu_s``: CPU seconds (user + system) of the
  whole run — app, sandbox and hub — which a busy machine barely changes, unlike wall time
  (``bundle_load_avg``: the 1-minute load average when the runs started; 2 cores).
One warm-up run of each kind is not counted (page cache). Each run gets a throw-away HOME, so
no real profile, keyring entry or data is touched.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Context, child_env, median, rnd

READY_RE = re.compile(r"ready in (\d+(?:\.\d+)?) ms")
DEFAULT_APP = ROOT / "dist" / "teller" / "teller"


def disk_mb(folder: Path) -> float:
    """Space the folder takes on disk (allocated blocks, as ``du``), in MiB."""
    total = 0
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        total += st.st_blocks * 512
    return total / 2**20


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def smoke_once(exe: Path, data_dir: Path | None, home: Path) -> tuple[float, float, float]:
    """One ``--smoke-test``: (the app's ready ms, wall ms from spawn to the ready line, CPU
    seconds of the app and its children, counted once the app has exited)."""
    cmd = [str(exe), "--smoke-test"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    env = child_env({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                     "XDG_DATA_HOME": str(home / ".local" / "share")})
    for name in ("TELLER_DATA_DIR", "TELLER_CONFIG_DIR"):
        env.pop(name, None)
    cpu0 = _children_cpu()
    spawned = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = wall = None
    for line in proc.stdout:
        m = READY_RE.search(line)
        if m:
            wall = (time.perf_counter() - spawned) * 1000
            ready = float(m.group(1))
            break
    _, err = proc.communicate(timeout=120)
    if ready is None or wall is None or proc.returncode != 0:
        raise RuntimeError(f"bundle smoke test failed (exit {proc.returncode}):\n{err[-3000:]}")
    return ready, wall, _children_cpu() - cpu0


def run(ctx: Context) -> dict[str, Any]:
    asked = getattr(ctx, "app", None)
    exe = Path(asked or DEFAULT_APP).resolve()
    if not exe.is_file() or not os.access(exe, os.X_OK):
        if not asked:  # a plain `python -m benchmarks` on a machine that built no bundle
            ctx.log(f"skipped: no bundle at {exe} (packaging/build_linux_bundle.sh)")
            return {}
        raise RuntimeError(f"no bundle at {exe}: run packaging/build_linux_bundle.sh first")
    bundle = exe.parent
    size = disk_mb(bundle)
    ctx.log(f"bundle {bundle}: {size:.1f} MiB on disk")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="teller-bundle-bench-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        smoke_once(exe, None, home)  # warm-up: page cache
        first = [smoke_once(exe, None, home) for _ in range(ctx.runs)]
        reused_dir = Path(tmp) / "data"
        smoke_once(exe, reused_dir, home)  # creates the data the next runs reuse
        reuse = [smoke_once(exe, reused_dir, home) for _ in range(ctx.runs)]
    ctx.log(f"load average {load:.1f}; first start ready ms: {[rnd(r[0], 0) for r in first]}"
            f"; wall ms: {[rnd(r[1], 0) for r in first]}; CPU s: {[rnd(r[2], 2) for r in first]}")
    ctx.log(f"second start (data reused) ready ms: {[rnd(r[0], 0) for r in reuse]}; "
            f"CPU s: {[rnd(r[2], 2) for r in reuse]}")
    return {
        "bundle_mb": rnd(size, 1),
        "bundle_smoke_ms": rnd(median([r[0] for r in first]), 0),
        "bundle_smoke_reuse_ms": rnd(median([r[0] for r in reuse]), 0),
        "bundle_smoke_wall_ms": rnd(median([r[1] for r in first]), 0),
        "bundle_smoke_cpu_s": rnd(median([r[2] for r in first]), 2),
        "bundle_smoke_reuse_cpu_s": rnd(median([r[2] for r in reuse]), 2),
        "bundle_load_avg": rnd(load, 1),
    }


if __name__ == "__main__":
    print("use: python -m benchmarks --only bundle --app dist/teller/teller", file=sys.stderr)
    sys.exit(2)
