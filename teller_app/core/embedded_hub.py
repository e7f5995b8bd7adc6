"""Start the Teller Hub as a child process and read its manifest (``DIR/hub.json``).

Like the sandbox, the hub is never imported by the desktop: it is run (``python -m
teller_app.hub serve``, or the frozen app with ``--run-hub``) and spoken to over HTTP.
Settings reach it through ``TELLER_HUB_*`` environment variables (never the command line,
which other local users can read); inherited ``TELLER_HUB_*`` variables are dropped so a
developer's own hub settings never redirect the embedded hub.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "hub.json"
ENV_PREFIX = "TELLER_HUB_"


class HubStartError(RuntimeError):
    pass


def hub_command() -> list[str]:
    if getattr(sys, "frozen", False):  # PyInstaller bundle: the app binary re-enters as hub
        return [sys.executable, "--run-hub"]
    return [sys.executable, "-m", "teller_app.hub"]


def free_port(host: str = "127.0.0.1") -> int:
    """A loopback port free right now (the sandbox must know the hub's URL before the hub
    starts; the tiny window in which another process could take it is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class HubProcess:
    data_dir: Path
    process: subprocess.Popen[str]
    manifest: dict[str, Any]
    output: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # the manifest holds the admin token
        return f"HubProcess({self.base_url!r}, pid={self.process.pid})"

    @property
    def base_url(self) -> str:
        return str(self.manifest["base_url"])

    @property
    def admin_token(self) -> str:
        return str(self.manifest["admin_token"])

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


def private_dir(path: Path) -> Path:
    """Create ``path`` (0700) and tighten it if it already existed, unless it is a shared
    directory (sticky bit, e.g. /tmp): as root a chmod there locks every other user out."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        if not path.stat().st_mode & stat.S_ISVTX:
            os.chmod(path, 0o700)
    return path


def start_hub(
    data_dir: Path | str,
    *args: str,
    port: int = 0,
    settings: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> HubProcess:
    """Start ``teller-hub serve`` on 127.0.0.1 and block until it prints its base URL (call
    it off the UI thread). ``settings``: hub settings by name (``dcm_url`` …), passed as
    ``TELLER_HUB_*`` environment variables."""
    data = private_dir(Path(data_dir))
    cmd = [*hub_command(), "serve", "--data", str(data), "--host", "127.0.0.1",
           "--port", str(port), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    env["PYTHONUNBUFFERED"] = "1"
    env.update({ENV_PREFIX + k.upper(): v for k, v in (settings or {}).items()})
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", env=env)
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
        proc.wait(10)
        raise HubStartError("hub did not start:\n" + "\n".join(output[-30:]))
    threading.Thread(target=_drain, args=(proc, output), daemon=True).start()
    manifest = json.loads((data / MANIFEST_NAME).read_text(encoding="utf-8"))
    if manifest.get("base_url") != url:
        proc.kill()
        proc.wait(10)
        raise HubStartError(f"hub.json base_url {manifest.get('base_url')!r} != printed {url!r}")
    return HubProcess(data, proc, manifest, output)


def _drain(proc: subprocess.Popen[str], sink: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if len(sink) < 10_000:
            sink.append(line.rstrip("\n"))
