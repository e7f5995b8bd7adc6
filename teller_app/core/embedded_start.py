"""Starting the embedded default: sandbox (as DCM) and Teller Hub (as the bank's Auth Service).

Order: a free loopback port is picked for the hub, and the hub process starts at once
(``serve --settings-stdin``: it loads its code meanwhile); the sandbox starts in parallel with
``--bank-auth-url http://127.0.0.1:PORT``; once the sandbox is up the hub gets its settings
(over stdin): the sandbox as its DCM (``dcm_url``, counterparty), the sandbox's administrator
as its technical account, the sandbox's bank key (Mode B) as its key, and its master key and
admin token from the OS keyring (core/embedded_keys.py). Both keep their data under the user
data dir (0700) and are reused on the next start; both are stopped at exit. What they print
goes to ``hub.log`` / ``sandbox.log`` in the desk's log folder (core/child_log.py).

Standard library and the child-process modules only: ``EarlyStart`` runs this on a thread
while the app's main thread imports Qt, and imports racing on two threads can deadlock. The
keyring's modules are the exception, loaded by ``EarlyStart`` on the main thread (once the
children are being spawned) while its thread waits for them; a plain ``start_embedded`` loads
them itself after the sandbox's start. Onboarding (HTTP, the platform client) is
``embedded_stack.onboard``.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from teller_app.core import app_paths
from teller_app.core.embedded_hub import HubProcess, PendingHub, free_port, spawn_hub
from teller_app.core.embedded_keys import hub_keys
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.secrets.store import preload_keyring

log = logging.getLogger("teller_app.core.embedded")
ADMIN_EMAIL = "admin@demo.bank"


@dataclass
class EmbeddedStack:
    sandbox: SandboxProcess
    hub: HubProcess | None
    hub_problem: str | None = None  # why the hub is not running (English, for the log)
    hub_port: int = 0  # where the sandbox expects the hub's Auth Service

    @property
    def hub_url(self) -> str | None:
        """The hub's URL; when it did not start, where it should be, so that the desk finds
        it unreachable and says so (rather than not knowing there is a hub)."""
        if self.hub is not None:
            return self.hub.base_url
        return f"http://127.0.0.1:{self.hub_port}" if self.hub_port else None

    def stop(self) -> None:
        if self.hub is not None:
            self.hub.stop()
        self.sandbox.stop()


def hub_dir(base: Path | None = None) -> Path:
    return (base or app_paths.data_dir()) / "hub"


def hub_settings(sandbox: SandboxProcess) -> dict[str, str]:
    """The hub's settings for this sandbox (secrets go over stdin or the environment, never
    the command line)."""
    manifest = sandbox.manifest
    admin = next(e for e in manifest["employees"] if e["email"] == ADMIN_EMAIL)
    bank = manifest["bank_jwt"]
    return {
        "dcm_url": sandbox.base_url,
        "dcm_counterparty": sandbox.counterparty_guid,
        "dcm_tech_login": ADMIN_EMAIL,
        "dcm_tech_password": str(admin["password"]),
        "bank_key_file": str(bank["private_key_pem"]),
        "bank_key_kid": str(bank["kid"]),
    }


def start_embedded(data: Path, *, customers: int | None = None,
                   sandbox_args: tuple[str, ...] = (),
                   keyring_loaded: threading.Event | None = None,
                   log_dir: Path | None = None) -> EmbeddedStack:
    """Start both (blocking: call off the UI thread). A hub that does not start leaves the
    sandbox running: sign-in works, creating customers is declined with a clear message.
    ``keyring_loaded``: set once another thread has loaded keyring's modules (else they are
    loaded here, after the sandbox's start: by then the app's start-up imports are normally
    done). ``log_dir``: where the children's output is kept, by default the desk's log
    folder for ``data`` (``app_paths.log_dir``, as ui/start_run.py gives the desk's log)."""
    logs = app_paths.log_dir(data) if log_dir is None else log_dir
    port = free_port()
    pending: PendingHub | None = None
    try:
        pending = spawn_hub(hub_dir(data), port=port, log_dir=logs)
    except Exception as exc:
        log.exception("embedded hub did not start")
        problem = f"the hub did not start ({type(exc).__name__})"
    try:
        sandbox = start_sandbox(app_paths.sandbox_dir(data), "--bank-auth-url",
                                f"http://127.0.0.1:{port}", *sandbox_args, customers=customers,
                                log_dir=logs)
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    if pending is None:
        return EmbeddedStack(sandbox, None, problem, port)
    if keyring_loaded is None:
        keyring_loaded = _load_keyring(threading.Event())
    keyring_loaded.wait()
    try:
        keys = hub_keys(hub_dir(data))
    except Exception as exc:  # not expected (hub_keys reports what it meets): sign-in goes on
        log.exception("embedded hub's keys not read")
        pending.cancel()
        return EmbeddedStack(sandbox, None, f"the hub did not start ({type(exc).__name__})",
                             port)
    if keys.problem is not None:  # its key is out of reach: a new one would lose its secrets
        log.warning("embedded hub not started: %s", keys.problem)
        pending.cancel()
        return EmbeddedStack(sandbox, None, f"the hub did not start: {keys.problem}", port)
    try:
        hub = pending.finish({**hub_settings(sandbox), **keys.settings})
    except Exception as exc:
        log.exception("embedded hub did not start")
        return EmbeddedStack(sandbox, None, f"the hub did not start ({type(exc).__name__})",
                             port)
    keys.settle(hub)
    return EmbeddedStack(sandbox, hub, None, port)


def _load_keyring(done: threading.Event) -> threading.Event:
    try:
        preload_keyring()
    except Exception:  # hub_keys finds no keyring then: the hub keeps its own files
        log.debug("keyring's modules not loaded", exc_info=True)
    finally:
        done.set()
    return done


class EarlyStart:
    """``start_embedded`` on a thread of its own, begun by ``ui/app.py`` before Qt loads when
    the embedded default will be needed: the children's start (a second or more, mostly their
    imports) overlaps the app's own imports and first paint instead of following them.
    ``future`` gives the stack (or the start's exception)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.future: Future[EmbeddedStack] = Future()
        self._keyring_loaded = threading.Event()
        threading.Thread(target=self._run, name="embedded-start", daemon=True).start()
        # Here, before the main thread goes on to import Qt (~50 ms while the children are
        # spawned): the thread above uses the keyring once the sandbox is up.
        _load_keyring(self._keyring_loaded)

    def _run(self) -> None:
        try:
            stack = start_embedded(self.data, keyring_loaded=self._keyring_loaded)
        except BaseException as exc:  # handed to whoever awaits the future
            self.future.set_exception(exc)
        else:
            self.future.set_result(stack)

    def discard(self) -> None:
        """Not needed after all (the app is ending, or profiles were found): the stack is
        stopped once it has started, on a thread of its own (stopping waits for the children
        to exit: never on the UI thread); not a daemon, so an ending app still waits for it."""
        def stop(done: Future[EmbeddedStack]) -> None:
            if not done.cancelled() and done.exception() is None:
                threading.Thread(target=done.result().stop, name="embedded-stop").start()

        self.future.add_done_callback(stop)
