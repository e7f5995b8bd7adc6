"""One launcher for the embedded children (sandbox, hub): spawn, wait for the printed base
URL, check it against the child's manifest, keep draining its output.

Readiness is the line the child prints once it accepts connections (``http://…`` alone on a
line), read as it arrives: no polling, no sleeps. Used by core/embedded_sandbox.py and
core/embedded_hub.py, which add what differs (command, environment, manifest name).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teller_app.core.child_guard import guarded_popen


class ChildStartError(RuntimeError):
    """A child did not print its URL (exited, or timed out); the message ends with its last
    output lines."""


@dataclass
class ChildProcess:
    """A running child and its parsed manifest (``DIR/<name>.json``)."""

    data_dir: Path
    process: subprocess.Popen[str]
    manifest: dict[str, Any]
    output: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return str(self.manifest["base_url"])

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


def spawn(cmd: Sequence[str], env: dict[str, str], *, guard: bool,
          stdin: bool = False) -> subprocess.Popen[str]:
    """Start ``cmd`` with stdout+stderr on one pipe (text). ``guard``: tied to this process
    (core/child_guard.py); ``stdin``: a pipe the caller writes to (else inherited)."""
    kwargs: dict[str, Any] = dict(
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        stdin=subprocess.PIPE if stdin else None,
        env={**env, "PYTHONUNBUFFERED": "1"})
    if guard:
        return guarded_popen(list(cmd), **kwargs)
    return subprocess.Popen(list(cmd), **kwargs)


def wait_ready(proc: subprocess.Popen[str], data: Path, manifest_name: str, *,
               timeout: float, what: str,
               error: type[RuntimeError] = ChildStartError) -> tuple[dict[str, Any], list[str]]:
    """Block until ``proc`` prints its base URL, then return its manifest and the output list
    (kept filled by a daemon thread so the child never blocks on a full pipe). The child is
    killed and ``error`` raised when it exits, times out or its manifest disagrees."""
    assert proc.stdout is not None
    output: list[str] = []
    url = _read_url(proc, output, timeout)
    if url is None:
        _kill(proc)
        raise error(f"{what} did not start:\n" + "\n".join(output[-30:]))
    threading.Thread(target=_drain, args=(proc, output), daemon=True).start()
    manifest: dict[str, Any] = json.loads((data / manifest_name).read_text(encoding="utf-8"))
    if manifest.get("base_url") != url:
        _kill(proc)
        raise error(f"{manifest_name} base_url {manifest.get('base_url')!r} != printed {url!r}")
    return manifest, output


def _read_url(proc: subprocess.Popen[str], output: list[str], timeout: float) -> str | None:
    """The first ``http://`` line. ``readline`` blocks, so a watchdog kills a child that is
    still silent at the deadline (which ends the read with EOF)."""
    assert proc.stdout is not None
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(timeout):
            _kill(proc)

    threading.Thread(target=watchdog, daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                return None
            output.append(line.rstrip("\n"))
            if line.startswith("http://"):
                return line.strip()
        return None
    finally:
        done.set()


def _kill(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)


def _drain(proc: subprocess.Popen[str], sink: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if len(sink) < 10_000:
            sink.append(line.rstrip("\n"))


def private_dir(path: Path) -> Path:
    """Create ``path`` (0700) and tighten it if it already existed, unless it is a shared
    directory (sticky bit, e.g. /tmp): as root a chmod there locks every other user out."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        if not path.stat().st_mode & stat.S_ISVTX:
            os.chmod(path, 0o700)
    return path
