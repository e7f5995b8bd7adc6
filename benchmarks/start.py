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
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.common import Context

# The probes (--probe, --bare) import nothing else of the benchmarks (benchmarks.common pulls
# asyncio, statistics...): the run measures the app and the floor, not the harness.
ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

READY_RE = re.compile(r"ready in (\d+(?:\.\d+)?) ms")
_SMOKE_MEMO: dict[tuple[int, str], list[dict[str, float]]] = {}


def app_command(ctx: Context) -> list[str]:
    app = getattr(ctx, "app", None)
    return [str(Path(app).resolve())] if app else [PYTHON, "-m", "teller_app"]


# --- start_ms ---------------------------------------------------------------------------------
def _report(spawned: float) -> None:
    """Wall time since the parent spawned us, and this process's CPU time (all threads; far
    less sensitive to the shared machine's load than wall time)."""
    print(f"painted in {(time.time() - spawned) * 1000:.1f} ms, cpu "
          f"{time.process_time() * 1000:.1f} ms", flush=True)
    os._exit(0)


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
                _report(spawned)

    startup.SignInDialog = ProbeDialog
    return app_module.main(["--profile", "bench"])


def _bare_probe() -> int:
    """Child: the floor — a bare QApplication + an empty QDialog, first paint reported the
    same way (same interpreter, same ``-m benchmarks.start`` entry)."""
    spawned = float(os.environ["TELLER_BENCH_SPAWNED"])
    from PySide6.QtWidgets import QApplication, QDialog

    class BareDialog(QDialog):
        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            _report(spawned)

    app = QApplication([sys.argv[0]])
    dialog = BareDialog()
    dialog.setWindowTitle("Teller")
    dialog.show()
    return app.exec()


def _signin_once(config_dir: Path, data_dir: Path, mode: str = "--probe"
                 ) -> tuple[float, float]:
    """(wall ms, CPU ms) from spawn to the first paint."""
    import subprocess

    from benchmarks.common import child_env

    env = child_env({"TELLER_CONFIG_DIR": str(config_dir), "TELLER_DATA_DIR": str(data_dir)})
    env["TELLER_BENCH_SPAWNED"] = repr(time.time())
    proc = subprocess.run([PYTHON, "-m", "benchmarks.start", mode], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    m = re.search(r"painted in (\d+(?:\.\d+)?) ms, cpu (\d+(?:\.\d+)?) ms", proc.stdout)
    if not m:
        raise RuntimeError(f"sign-in probe failed ({proc.returncode}):\n{proc.stdout}\n"
                           f"{proc.stderr[-3000:]}")
    return float(m.group(1)), float(m.group(2))


def measure_start(ctx: Context) -> dict[str, list[float]]:
    """Teller's sign-in painted (``start``) and a bare Qt dialog painted (``bare``), wall and
    CPU (``*_cpu``) per run, in ms."""
    import tempfile

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
        _signin_once(config, data, "--bare")
        out: dict[str, list[float]] = {"start": [], "bare": [], "start_cpu": [], "bare_cpu": []}
        for _ in range(max(5, ctx.runs)):  # interleaved: both see the same machine load
            for name, mode in (("start", "--probe"), ("bare", "--bare")):
                wall, cpu = _signin_once(config, data, mode)
                out[name].append(wall)
                out[f"{name}_cpu"].append(cpu)
        return out


# --- smoke test (first results + RSS) ---------------------------------------------------------
def smoke_once(ctx: Context) -> dict[str, float]:
    """One ``--smoke-test`` run: the printed ready time and the app's RSS when it printed it
    (the embedded sandbox is a separate process, not counted)."""
    import subprocess

    import psutil

    from benchmarks.common import child_env

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
    from benchmarks.common import median, rnd

    m = measure_start(ctx)
    starts, bares = m["start"], m["bare"]
    ctx.log(f"start_ms runs: {[rnd(v, 0) for v in starts]}")
    ctx.log(f"bare_qt_ms runs: {[rnd(v, 0) for v in bares]}")
    ratios = [a / b for a, b in zip(starts, bares, strict=True)]
    ctx.log(f"start_ratio per pair: {[rnd(v, 2) for v in ratios]}")
    ctx.log(f"CPU ms to the paint: teller {[rnd(v, 0) for v in m['start_cpu']]}, bare "
            f"{[rnd(v, 0) for v in m['bare_cpu']]}")
    smokes = smoke_runs(ctx)
    ready = [s["ready_ms"] for s in smokes]
    ctx.log(f"first_results_ms runs: {[rnd(v, 0) for v in ready]}")
    return {"start_ms": rnd(median(starts), 0), "bare_qt_ms": rnd(median(bares), 0),
            "start_ratio": rnd(median(starts) / median(bares), 2),
            "start_cpu_ratio": rnd(median(m["start_cpu"]) / median(m["bare_cpu"]), 2),
            "first_results_ms": rnd(median(ready), 0)}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--probe"]:
        sys.exit(_probe())
    if sys.argv[1:2] == ["--bare"]:
        sys.exit(_bare_probe())
    print("use: python -m benchmarks --only start", file=sys.stderr)
    sys.exit(2)
