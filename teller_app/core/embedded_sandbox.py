"""Start the platform sandbox as a child process and read its manifest.

The sandbox is an external system: we never import it, we run it (``python -m
teller_app.sandbox``, or the frozen app with ``--run-sandbox``) and talk to it over HTTP.
Used by the app (embedded default), the tests and the benchmarks. Given a log folder, what
it prints goes to ``sandbox.log`` there (core/child_log.py), its manifest's passwords and
tokens masked.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teller_app.core.child_guard import guarded_command, stop_leftover
from teller_app.core.child_log import ChildLog
from teller_app.core.embedded_child import ChildProcess, spawn, wait_ready

MANIFEST_NAME = "sandbox.json"
LOG_NAME = "sandbox"  # sandbox.log in the desk's log folder


class SandboxStartError(RuntimeError):
    pass


def sandbox_command() -> list[str]:
    if getattr(sys, "frozen", False):  # PyInstaller bundle: the app binary re-enters as sandbox
        return [sys.executable, "--run-sandbox"]
    return guarded_command("teller_app.sandbox")  # dies with the app (core/child_guard.py)


@dataclass
class SandboxProcess(ChildProcess):
    """A running sandbox. ``manifest`` is the parsed ``DIR/sandbox.json``."""

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


def start_sandbox(
    data_dir: Path | str,
    *args: str,
    port: int = 0,
    customers: int | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
    dialects: list[str] | tuple[str, ...] | None = None,
    log_dir: Path | None = None,
) -> SandboxProcess:
    """Start a sandbox on 127.0.0.1 and block until it prints its base URL (blocking: call it
    off the UI thread). Extra ``args`` are passed through (e.g. ``--latency-ms``);
    ``dialects`` are sandbox dialect names (tests: ``["all"]``); ``log_dir``: the desk's log
    folder, for ``sandbox.log``."""
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    stop_leftover_sandbox(data)
    cmd = [*sandbox_command(), "--host", "127.0.0.1", "--port", str(port), "--data", str(data)]
    if customers is not None:
        cmd += ["--customers", str(customers)]
    if dialects:
        cmd += ["--dialect", ",".join(dialects)]
    cmd += list(args)
    proc = spawn(cmd, {**os.environ, **(env or {})}, guard=True)
    log = None if log_dir is None else ChildLog(log_dir, LOG_NAME)
    manifest, output = wait_ready(proc, data, MANIFEST_NAME, timeout=timeout, what="sandbox",
                                  error=SandboxStartError, log=log)
    return SandboxProcess(data, proc, manifest, output)


def stop_leftover_sandbox(data: Path) -> bool:
    """A sandbox an earlier run left on ``data`` (the app was killed before the guard could
    act, or a guard-less version ran) is stopped, so only one process ever owns the data."""
    try:
        pid = int(json.loads((data / MANIFEST_NAME).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return stop_leftover(pid, f"--data {data} ")

