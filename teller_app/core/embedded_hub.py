"""Start the Teller Hub as a child process and read its manifest (``DIR/hub.json``).

Like the sandbox, the hub is never imported by the desktop: it is run (``python -m
teller_app.hub serve``, or the frozen app with ``--run-hub``) and spoken to over HTTP; like
the sandbox, it never outlives the app that started it (``core/child_guard.py``).
Settings reach it in one JSON line on its stdin (``spawn_hub``; the embedded default: its
secrets too, core/embedded_keys.py) or through ``TELLER_HUB_*`` environment variables
(``start_hub``, for tests), never the command line, which other local users can read;
inherited ``TELLER_HUB_*`` variables are dropped so a developer's own hub settings never
redirect the embedded hub. Given a log folder, what it prints goes to ``hub.log`` there
(core/child_log.py); there and in the lines kept in memory its secret settings are masked.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from teller_app.core.child_guard import guarded_command
from teller_app.core.child_log import ChildLog, secret_values
from teller_app.core.embedded_child import ChildProcess, private_dir, spawn, wait_ready

__all__ = ["HubProcess", "HubStartError", "PendingHub", "free_port", "hub_command",
           "private_dir", "spawn_hub", "start_hub"]

MANIFEST_NAME = "hub.json"
LOG_NAME = "hub"  # hub.log in the desk's log folder
ENV_PREFIX = "TELLER_HUB_"


class HubStartError(RuntimeError):
    pass


def hub_command() -> list[str]:
    if getattr(sys, "frozen", False):  # PyInstaller bundle: the app binary re-enters as hub
        return [sys.executable, "--run-hub"]
    return guarded_command("teller_app.hub")  # dies with the app (core/child_guard.py)


def free_port(host: str = "127.0.0.1") -> int:
    """A loopback port free right now (the sandbox must know the hub's URL before the hub
    starts; the tiny window in which another process could take it is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class HubProcess(ChildProcess):
    given_admin_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:  # the manifest may hold the admin token
        return f"HubProcess({self.base_url!r}, pid={self.process.pid})"

    @property
    def admin_token(self) -> str:
        """The token the hub was given (the embedded default's, from the OS keyring), else
        the one it made and wrote into its manifest (0600)."""
        if self.given_admin_token is not None:
            return self.given_admin_token
        return str(self.manifest["admin_token"])


@dataclass
class PendingHub:
    """A hub process started before its settings are known (``serve --settings-stdin``): it
    imports and builds its routes meanwhile, and serves once ``finish`` hands it the settings.
    This lets the embedded stack start the hub in parallel with the sandbox it depends on."""

    data_dir: Path
    process: subprocess.Popen[str]
    log: ChildLog | None = None

    def finish(self, settings: dict[str, str] | None = None,
               timeout: float = 60.0) -> HubProcess:
        """Send ``settings`` (names as in ``start_hub``) and block until the URL is printed.
        Secrets among them stay in the pipe and the hub's memory."""
        assert self.process.stdin is not None
        values = {k.lower(): v for k, v in (settings or {}).items()}
        line = json.dumps(values)
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.close()
        except OSError:  # it already exited: wait_ready reports its output
            pass
        manifest, output = wait_ready(self.process, self.data_dir, MANIFEST_NAME,
                                      timeout=timeout, what="hub", error=HubStartError,
                                      log=self.log,  # should the hub ever quote them:
                                      secrets=secret_values(values))
        return HubProcess(self.data_dir, self.process, manifest, output,
                          values.get("admin_token"))

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _hub_env() -> dict[str, str]:
    # inherited TELLER_HUB_* never redirect the embedded hub
    return {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}


def _serve_command(data: Path, port: int, args: tuple[str, ...]) -> list[str]:
    return [*hub_command(), "serve", "--data", str(data), "--host", "127.0.0.1",
            "--port", str(port), *args]


def _log(log_dir: Path | None) -> ChildLog | None:
    return None if log_dir is None else ChildLog(log_dir, LOG_NAME)


def spawn_hub(data_dir: Path | str, *args: str, port: int = 0,
              log_dir: Path | None = None) -> PendingHub:
    """Start ``teller-hub serve --settings-stdin``; call ``finish(settings)`` on the result.
    ``log_dir``: the desk's log folder, for ``hub.log``."""
    data = private_dir(Path(data_dir))
    proc = spawn(_serve_command(data, port, (*args, "--settings-stdin")), _hub_env(),
                 guard=True, stdin=True)
    return PendingHub(data, proc, _log(log_dir))


def start_hub(
    data_dir: Path | str,
    *args: str,
    port: int = 0,
    settings: dict[str, str] | None = None,
    timeout: float = 60.0,
    log_dir: Path | None = None,
) -> HubProcess:
    """Start ``teller-hub serve`` on 127.0.0.1 and block until it prints its base URL (call
    it off the UI thread). ``settings``: hub settings by name (``dcm_url`` …), passed as
    ``TELLER_HUB_*`` environment variables; ``log_dir``: the desk's log folder, for
    ``hub.log``."""
    data = private_dir(Path(data_dir))
    env = _hub_env()
    env.update({ENV_PREFIX + k.upper(): v for k, v in (settings or {}).items()})
    values = {k.lower(): v for k, v in (settings or {}).items()}
    proc = spawn(_serve_command(data, port, args), env, guard=True)
    manifest, output = wait_ready(proc, data, MANIFEST_NAME, timeout=timeout, what="hub",
                                  error=HubStartError, log=_log(log_dir),
                                  secrets=secret_values(values))
    return HubProcess(data, proc, manifest, output, values.get("admin_token"))
