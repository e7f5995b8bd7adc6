"""One launcher for the embedded children (sandbox, hub): spawn, wait for the printed base
URL, check it against the child's manifest, keep draining its output: the newest
``OUTPUT_LINES`` lines in memory and, given a ``ChildLog`` (core/child_log.py), every line
in the desk's log folder; both masked alike (``LineMask``: the desk's log masking plus the
child's own secrets), so a test's assertion or a "did not start" error quotes no secret.

Readiness is the line the child prints once it accepts connections (``http://…`` alone on a
line), read as it arrives: no polling, no sleeps. Used by core/embedded_sandbox.py and
core/embedded_hub.py, which add what differs (command, environment, manifest name).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teller_app.core.child_guard import guarded_popen
from teller_app.core.child_log import ChildLog, LineMask, secret_values
from teller_app.core.child_log import private_dir as private_dir  # re-exported

OUTPUT_LINES = 10_000  # kept in memory: the newest (the end of the day is what matters)
DRAINED_S = 5.0  # ``stop`` waits this long for the last lines to be read (and written)


class ChildStartError(RuntimeError):
    """A child did not print its URL (exited, or timed out); the message ends with its last
    output lines."""


class ChildOutput(deque[str]):
    """The newest ``OUTPUT_LINES`` lines a child printed, masked; ``ended`` is set once its
    output ended (every line read and, with a log, written)."""

    def __init__(self) -> None:
        super().__init__(maxlen=OUTPUT_LINES)
        self.ended = threading.Event()


@dataclass
class ChildProcess:
    """A running child and its parsed manifest (``DIR/<name>.json``)."""

    data_dir: Path
    process: subprocess.Popen[str]
    manifest: dict[str, Any]
    output: ChildOutput = field(default_factory=ChildOutput)

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
        self.output.ended.wait(DRAINED_S)  # its last lines (a traceback) reach the log

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.output.ended.wait(DRAINED_S)


def spawn(cmd: Sequence[str], env: dict[str, str], *, guard: bool,
          stdin: bool = False) -> subprocess.Popen[str]:
    """Start ``cmd`` with stdout+stderr on one pipe (text). ``guard``: tied to this process
    (core/child_guard.py); ``stdin``: a pipe the caller writes to (else inherited)."""
    kwargs: dict[str, Any] = dict(
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        errors="replace",  # a stray byte must not end the drain (the child would block)
        stdin=subprocess.PIPE if stdin else None,
        env={**env, "PYTHONUNBUFFERED": "1"})
    if guard:
        return guarded_popen(list(cmd), **kwargs)
    return subprocess.Popen(list(cmd), **kwargs)


def wait_ready(proc: subprocess.Popen[str], data: Path, manifest_name: str, *,
               timeout: float, what: str, error: type[RuntimeError] = ChildStartError,
               log: ChildLog | None = None,
               secrets: Iterable[str] = ()) -> tuple[dict[str, Any], ChildOutput]:
    """Block until ``proc`` prints its base URL, then return its manifest and the output
    (its newest ``OUTPUT_LINES`` lines, kept by a daemon thread so the child never blocks on
    a full pipe; with ``log``, every line also goes to that file). Lines are masked: the
    manifest's secrets and ``secrets`` (what the child was given) among what is masked. The
    child is killed and ``error`` raised when it exits, times out or its manifest
    disagrees."""
    assert proc.stdout is not None
    masker = log.masker if log is not None else LineMask()
    masker.add(secrets)
    output = ChildOutput()
    early: list[str] = []  # read before the URL: masked once the manifest's secrets are known
    url = _read_url(proc, early, timeout)
    if url is None:
        _kill(proc)
        masked = [masker.mask(line) for line in early]
        output.extend(masked)
        _write_all(log, masked, end=True)
        raise error(f"{what} did not start:\n" + "\n".join(list(output)[-30:]))
    try:
        manifest: dict[str, Any] = json.loads(
            (data / manifest_name).read_text(encoding="utf-8"))
        masker.add(secret_values(manifest))  # before a line is kept or written
    finally:  # drained even when the manifest is unreadable (the child is not waited on)
        masked = [masker.mask(line) for line in early]
        output.extend(masked)  # in it when this returns
        threading.Thread(target=_drain, args=(proc, output, masker, log, masked),
                         name=f"{what}-output", daemon=True).start()
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


def _drain(proc: subprocess.Popen[str], sink: ChildOutput, masker: LineMask,
           log: ChildLog | None, earlier: list[str]) -> None:
    """Until the child's output ends: every line masked (once) into ``sink`` (the oldest
    falls out) and, after the lines read before its URL (``earlier``, masked), into
    ``log``."""
    assert proc.stdout is not None
    _write_all(log, earlier)
    try:
        for line in proc.stdout:
            text = masker.mask(line.rstrip("\n"))
            sink.append(text)
            if log is not None:
                log.write_masked(text)
    except (OSError, ValueError):  # the pipe closed under us (the desk is ending)
        pass
    finally:
        if log is not None:
            log.close()
        sink.ended.set()


def _write_all(log: ChildLog | None, masked: Sequence[str], *,
               end: bool = False) -> None:
    if log is None:
        return
    for text in masked:
        log.write_masked(text)
    if end:
        log.close()
