"""Shared pieces of the benchmarks: paths, the 100 000-customer sandbox, statistics, child
processes and the goals table."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
RESULTS = ROOT / "benchmarks" / "results.json"
PYTHON = sys.executable

# figure -> (goal, "le" | "ge", unit). Figures without a goal are informational.
GOALS: dict[str, tuple[float, str]] = {
    "start_ms": (1000, "ms"),
    "search_server_p95_ms": (100, "ms"),
    "rss_mb": (250, "MB"),
    "search_cache_p95_ms": (16, "ms"),
    "full_sync_s": (15, "s"),
    "incremental_sync_ms": (100, "ms"),
    "max_stall_ms": (16, "ms"),
    "rss_cached_mb": (200, "MB"),
    "sync_ratio": (1.3, "x"),
    # --scale 1m (issue 12)
    "sandbox_generate_1m_s": (120, "s"),
    "full_sync_1m_s": (90, "s"),
    "sync_ratio_1m": (1.3, "x"),
    "max_stall_1m_ms": (16, "ms"),
    "search_cache_1m_p95_ms": (16, "ms"),
    "rss_cached_1m_mb": (300, "MB"),
    "hub_auth_p99_ms": (50, "ms"),
    "approval_notify_p95_ms": (1000, "ms"),
    "bundle_mb": (150, "MB"),
    "bundle_smoke_ms": (2000, "ms"),
    "bundle_smoke_reuse_ms": (2000, "ms"),
}


@dataclass
class Context:
    customers: int = 100_000
    runs: int = 5
    verbose: bool = False
    notes: list[str] = field(default_factory=list)
    scale: str | None = None  # "1m" for the --scale run (figures renamed by __main__)

    @property
    def sandbox_dir(self) -> Path:
        return WORK / f"sandbox-{self.customers}"

    @property
    def cache_path(self) -> Path:
        """The cache the sync benchmark leaves behind for the search/memory benchmarks."""
        return WORK / f"cache-{self.customers}" / "branch.db"

    @property
    def cache_key_path(self) -> Path:
        return WORK / f"cache-{self.customers}" / "key.hex"

    def log(self, text: str) -> None:
        print(f"  · {text}", file=sys.stderr, flush=True)


# --- statistics -------------------------------------------------------------------------------
# a figure measured at a larger scale is named with its tag (full_sync_s -> full_sync_1m_s)
_UNITS = {"p50", "p95", "p99", "s", "ms", "mb"}


def scaled(name: str, tag: str) -> str:
    """``full_sync_s`` -> ``full_sync_1m_s``: the tag goes before the first unit or
    percentile word, else at the end (``sync_ratio`` -> ``sync_ratio_1m``)."""
    if name.startswith("_"):
        return f"_scale_{tag}_{name.lstrip('_')}"
    words = name.split("_")
    at = next((i for i, w in enumerate(words) if i and w in _UNITS), len(words))
    return "_".join([*words[:at], tag, *words[at:]])


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rnd(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


# --- the sandbox ------------------------------------------------------------------------------
class Sandbox:
    """A sandbox with ``customers`` customers in benchmarks/.work (generated once, reused)."""

    def __init__(self, ctx: Context, *args: str) -> None:
        self.ctx = ctx
        self.args = args
        self.proc: Any = None

    def __enter__(self) -> Any:
        from teller_app.core.embedded_sandbox import start_sandbox

        first = not (self.ctx.sandbox_dir / "sandbox.json").exists()
        if first:
            self.ctx.log(f"generating {self.ctx.customers} customers (once) in "
                         f"{self.ctx.sandbox_dir.relative_to(ROOT)}")
        t0 = time.perf_counter()
        self.proc = start_sandbox(self.ctx.sandbox_dir, *self.args,
                                  customers=self.ctx.customers, timeout=1800)
        if self.ctx.verbose or first:
            self.ctx.log(f"sandbox up in {time.perf_counter() - t0:.1f} s at {self.proc.base_url}")
        return self.proc

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.stop()


def manifest_env(sandbox: Any) -> dict[str, str]:
    """Environment for a child process that talks to ``sandbox`` (see child_session)."""
    return {"TELLER_BENCH_SANDBOX": str(sandbox.data_dir)}


async def open_client(data_dir: Path | str, email: str) -> Any:
    """A signed-in PlatformClient for a demo employee of the sandbox in ``data_dir``."""
    from teller_app.platform import PasswordLogin, PlatformClient

    manifest = json.loads((Path(data_dir) / "sandbox.json").read_text(encoding="utf-8"))
    emp = next(e for e in manifest["employees"] if e["email"] == email)
    client = PlatformClient(manifest["base_url"], manifest["counterparty_guid"],
                            auth=PasswordLogin(email, emp["password"]))
    await client.login()
    return client


async def open_session(data_dir: Path | str, email: str) -> Any:
    """A core Session (as the app's sign-in makes) for a demo employee."""
    from teller_app.core.session import open_session as core_open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.sign_in import sandbox_target

    manifest = json.loads((Path(data_dir) / "sandbox.json").read_text(encoding="utf-8"))
    emp = next(e for e in manifest["employees"] if e["email"] == email)
    target = sandbox_target(manifest)
    return await core_open_session(target.profile, PasswordLogin(email, emp["password"]))


# --- child processes --------------------------------------------------------------------------
def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
           "LANG": os.environ.get("LANG", "C.UTF-8")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def write_key(key_file: Path, key: bytes) -> None:
    """A benchmark cache's key, next to it, 0600 from the start (the cache is synthetic, but
    a key is still a secret: the project's files are private)."""
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex())
    os.chmod(key_file, 0o600)  # a key file an older run left at 0644


def run_child(module: str, *args: str, timeout: float = 600,
              env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m module args`` from the repo root; it prints one JSON object as its
    last stdout line. Raises with its output when it fails."""
    proc = subprocess.run([PYTHON, "-m", module, *args], cwd=ROOT, env=child_env(env),
                          capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed (exit {proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return dict(json.loads(lines[-1]))


def emit(result: dict[str, Any]) -> None:
    """What a child prints as its last line."""
    print(json.dumps(result), flush=True)


def rss_mb(pid: int | None = None) -> float:
    import psutil

    return psutil.Process(pid or os.getpid()).memory_info().rss / 2**20


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)
