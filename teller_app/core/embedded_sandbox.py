"""Start the platform sandbox as a child process and read its manifest.

The sandbox is an external system: we never import it, we run it (``python -m
teller_app.sandbox``, or the frozen app with ``--run-sandbox``) and talk to it over HTTP.
Used by the app (embedded default), the tests and the benchmarks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teller_app.core.child_guard import guarded_command, guarded_popen, stop_leftover

MANIFEST_NAME = "sandbox.json"


class SandboxStartError(RuntimeError):
    pass


def sandbox_command() -> list[str]:
    if getattr(sys, "frozen", False):  # PyInstaller bundle: the app binary re-enters as sandbox
        return [sys.executable, "--run-sandbox"]
    return guarded_command("teller_app.sandbox")  # dies with the app (core/child_guard.py)


@dataclass
class SandboxProcess:
    """A running sandbox. ``manifest`` is the parsed ``DIR/sandbox.json``."""

    data_dir: Path
    process: subprocess.Popen[str]
    manifest: dict[str, Any]
    output: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return str(self.manifest["base_url"])

    @property
    def counterparty_guid(self) -> str:
        return str(self.manifest["counterparty_guid"])

    def employee(self, role: str, branch_index: int | None = 0) -> dict[str, Any]:
        """First employee with ``role``; for branch roles, of branch ``branch_index``."""
        branches = [b["guid"] for b in self.manifest["branches"]]
        for emp in self.manifest["employees"]:
            if role not in emp["roles"]:
                continue
            if branch_index is None or not emp.get("branch_guid"):
                return dict(emp)
            if emp.get("branch_guid") == branches[branch_index]:
                return dict(emp)
        raise KeyError(role)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def start_sandbox(
    data_dir: Path | str,
    *args: str,
    port: int = 0,
    customers: int | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
    dialects: list[str] | tuple[str, ...] | None = None,
) -> SandboxProcess:
    """Start a sandbox on 127.0.0.1 and block until it prints its base URL (blocking: call it
    off the UI thread). Extra ``args`` are passed through (e.g. ``--latency-ms``);
    ``dialects`` are sandbox dialect names (tests: ``["all"]``)."""
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    stop_leftover_sandbox(data)
    cmd = [*sandbox_command(), "--host", "127.0.0.1", "--port", str(port), "--data", str(data)]
    if customers is not None:
        cmd += ["--customers", str(customers)]
    if dialects:
        cmd += ["--dialect", ",".join(dialects)]
    cmd += list(args)
    proc = guarded_popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert proc.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        output.append(line.rstrip("\n"))
        if line.startswith("http://"):
            url = line.strip()
            break
    if url is None:
        proc.kill()
        raise SandboxStartError("sandbox did not start:\n" + "\n".join(output[-30:]))
    # Keep draining stdout so the child never blocks on a full pipe.
    threading.Thread(target=_drain, args=(proc, output), daemon=True).start()
    manifest = json.loads((data / MANIFEST_NAME).read_text(encoding="utf-8"))
    if manifest.get("base_url") != url:
        proc.kill()
        printed = manifest.get("base_url")
        raise SandboxStartError(f"manifest base_url {printed!r} != printed {url!r}")
    return SandboxProcess(data, proc, manifest, output)


def stop_leftover_sandbox(data: Path) -> bool:
    """A sandbox an earlier run left on ``data`` (the app was killed before the guard could
    act, or a guard-less version ran) is stopped, so only one process ever owns the data."""
    try:
        pid = int(json.loads((data / MANIFEST_NAME).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return stop_leftover(pid, f"--data {data} ")


def _drain(proc: subprocess.Popen[str], sink: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if len(sink) < 10_000:
            sink.append(line.rstrip("\n"))
