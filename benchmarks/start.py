"""Start-up: ``start_ms`` (process start -> sign-in window painted) and ``first_results_ms``
(``teller-app --smoke-test``: embedded sandbox started, demo teller signed in, first search
results painted; the app prints ``ready in N ms``).

start_ms runs the real app (``teller_app.ui.app.main --profile bench``) with a saved profile,
as a teller's machine starts: no embedded sandbox, the sign-in dialog is the first window.
The probe (``python -m benchmarks.start --probe``) only swaps SignInDialog for a subclass that
reports its first paint and exits. Time is measured from just before the parent spawns the
process (wall clock, so interpreter start-up is included).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, ROOT, Context, child_env, median, rnd

READY_RE = re.compile(r"ready in (\d+(?:\.\d+)?) ms")
_SMOKE_MEMO: dict[tuple[int, str], list[dict[str, float]]] = {}


def app_command(ctx: Context) -> list[str]:
    app = getattr(ctx, "app", None)
    return [str(Path(app).resolve())] if app else [PYTHON, "-m", "teller_app"]


# --- start_ms ---------------------------------------------------------------------------------
def _probe() -> int:
    """Child: the real app start with a SignInDialog that reports its first paint."""
    spawned = float(os.environ["TELLER_BENCH_SPAWNED"])
    from teller_app.ui import app as app_module
    from teller_app.ui import startup

    base = startup.SignInDialog

    class ProbeDialog(base):  # type: ignore[misc, valid-type]
        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            if not getattr(self, "_reported", False):
                self._reported = True
                print(f"painted in {(time.time() - spawned) * 1000:.1f} ms", flush=True)
                os._exit(0)

    startup.SignInDialog = ProbeDialog
    return app_module.main(["--profile", "bench"])


def _signin_once(config_dir: Path, data_dir: Path) -> float:
    env = child_env({"TELLER_CONFIG_DIR": str(config_dir), "TELLER_DATA_DIR": str(data_dir)})
    env["TELLER_BENCH_SPAWNED"] = repr(time.time())
    proc = subprocess.run([PYTHON, "-m", "benchmarks.start", "--probe"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    m = re.search(r"painted in (\d+(?:\.\d+)?) ms", proc.stdout)
    if not m:
        raise RuntimeError(f"sign-in probe failed ({proc.returncode}):\n{proc.stdout}\n"
                           f"{proc.stderr[-3000:]}")
    return float(m.group(1))


def measure_start(ctx: Context) -> list[float]:
    from teller_app.secrets import Profile, ProfileStore

    with tempfile.TemporaryDirectory(prefix="teller-bench-") as tmp:
        config, data = Path(tmp) / "config", Path(tmp) / "data"
        old = os.environ.get("TELLER_CONFIG_DIR")
        os.environ["TELLER_CONFIG_DIR"] = str(config)
        try:
            store = ProfileStore()
            store.save(Profile(name="bench", base_url="http://127.0.0.1:9",
                               counterparty_guid="00000000-0000-4000-8000-000000000000",
                               email="teller.kyiv@demo.bank"))
            store.set_last_profile("bench")
        finally:
            if old is None:
                os.environ.pop("TELLER_CONFIG_DIR", None)
            else:
                os.environ["TELLER_CONFIG_DIR"] = old
        _signin_once(config, data)  # warm-up: .pyc files and the page cache
        return [_signin_once(config, data) for _ in range(ctx.runs)]


# --- smoke test (first results + RSS) ---------------------------------------------------------
def smoke_once(ctx: Context) -> dict[str, float]:
    """One ``--smoke-test`` run: the printed ready time and the app's RSS when it printed it
    (the embedded sandbox is a separate process, not counted)."""
    import psutil

    proc = subprocess.Popen([*app_command(ctx), "--smoke-test"], cwd=ROOT, env=child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    assert proc.stdout is not None
    result: dict[str, float] = {}
    peak = 0.0
    for line in proc.stdout:
        m = READY_RE.search(line)
        if m:
            try:
                result["rss_mb"] = ps.memory_info().rss / 2**20
                peak = max(peak, result["rss_mb"])
            except psutil.Error:
                pass
            result["ready_ms"] = float(m.group(1))
            break
    _, err = proc.communicate(timeout=120)
    if "ready_ms" not in result or proc.returncode != 0:
        raise RuntimeError(f"smoke test failed (exit {proc.returncode}):\n{err[-3000:]}")
    return result


def smoke_runs(ctx: Context) -> list[dict[str, float]]:
    key = (ctx.runs, " ".join(app_command(ctx)))
    if key not in _SMOKE_MEMO:
        smoke_once(ctx)  # warm-up
        _SMOKE_MEMO[key] = [smoke_once(ctx) for _ in range(ctx.runs)]
    return _SMOKE_MEMO[key]


def run(ctx: Context) -> dict[str, Any]:
    starts = measure_start(ctx)
    ctx.log(f"start_ms runs: {[rnd(v, 0) for v in starts]}")
    smokes = smoke_runs(ctx)
    ready = [s["ready_ms"] for s in smokes]
    ctx.log(f"first_results_ms runs: {[rnd(v, 0) for v in ready]}")
    return {"start_ms": rnd(median(starts), 0), "first_results_ms": rnd(median(ready), 0)}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--probe"]:
        sys.exit(_probe())
    print("use: python -m benchmarks --only start", file=sys.stderr)
    sys.exit(2)
