"""``teller-hub serve``: everything that can be refused is checked before the port is bound
(TLS, the bank key's mode, the cash day's time zone, the master key and whether it belongs
to the database), so a configuration mistake is one line on stderr and exit 2, never a
half-started process; then it binds (``--port 0`` picks a free port), migrates an embedded
SQLite database, writes ``DIR/hub.json`` (0600, atomic) and prints the base URL alone on a
line once connections are accepted. SIGTERM stops it cleanly (exit 0): ``/readyz`` answers 503
from then on, the work in progress ends within ``shutdown_drain_s`` (``drain``), and each close
after it is bounded (``shutdown_steps``). A clean stop removes ``hub.json`` if it still names
this start (its ``instance`` mark, not its pid: another hub may have written it since, and
two containers sharing a data dir are both pid 1); a crash leaves it, so a reader
trusts it only from the process it started (``embedded_child.wait_ready``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from . import migrate
from .crypto import load_master_key
from .db import make_engine
from .drain import Drain
from .files import create_private_once, empty_file_text, private_dir, write_private
from .master_key_check import check_before_serving
from .serve_checks import (
    check_admin_token,
    check_bank_key,
    check_cash_zone,
    private_database_files,
    tls_options,
)
from .settings import HubSettings, SettingsError
from .shutdown_steps import overran_steps
from .task_stop import left_running

MANIFEST_NAME = "hub.json"
# Idle connections kept 75 s (uvicorn's default is 5 s, so a desk on a slow link paid TCP +
# TLS again for almost every action): longer than the desk's 60 s (``platform._http``), so
# a desk never reuses a connection the hub is closing.
KEEP_ALIVE_S = 75
log = logging.getLogger("teller_hub")


def serve(settings: HubSettings) -> int:
    from .app import create_app

    if settings.data_dir is None:
        raise SettingsError("serve needs --data DIR (hub.json, and by default hub.db and "
                            "master.key)")
    tls = tls_options(settings)
    check_bank_key(settings)
    cash_zone = check_cash_zone(settings)  # a zone that does not load: exit 2, nothing bound
    data_dir = private_dir(settings.data_dir)
    private_database_files(settings)  # a backup put back with its own mode: 0600 again
    master = load_master_key(settings)  # a bad key file: exit 2 here, nothing bound
    revision = check_before_serving(settings, master)
    check_admin_token(settings)
    if revision is not None and migrate.schema_of(revision) == "newer":
        migrate.warn_newer(revision)  # served, as /readyz says
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, see sandbox
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
        sock.listen(2048)
    except OSError as exc:  # a port taken, an address not on this host: exit 2, named
        sock.close()
        raise SettingsError(f"cannot listen on {settings.host} port {settings.port}: "
                            f"{exc.strerror or exc}") from None
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    base_url = f"{'https' if tls else 'http'}://{host}:{port}"

    # embedded default: migrate on start (not even Alembic is loaded when the database is
    # already at head); PostgreSQL: `teller-hub migrate` first
    migrate_sqlite(settings)
    log.info("cash day zone", extra={"cash_tz": cash_zone.key})  # the app's lifespan uses it
    admin_token = _admin_token(settings, data_dir)
    app = create_app(settings, admin_token=admin_token, master=master)
    manifest: dict[str, Any] = {
        "base_url": base_url, "pid": os.getpid(),
        # this start's own mark: two containers sharing a data dir are both pid 1
        "instance": secrets.token_hex(8),
        "database": "sqlite" if settings.is_sqlite else "postgresql",
        # where the master key came from (the embedded desk removes an older key file only
        # once its hub says it used the key from the desk's keyring)
        "master_key_from": "settings" if settings.master_key is not None else "file",
    }
    if settings.admin_token is None:  # made here (admin.token): whoever started us reads it
        manifest["admin_token"] = admin_token
    manifest_path = data_dir / MANIFEST_NAME
    write_private(manifest_path, json.dumps(manifest, indent=2).encode())

    server = _Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                    timeout_keep_alive=KEEP_ALIVE_S,
                                    # SIGTERM: requests in progress finish (an
                                    # approval, a proxied write) within the drain
                                    timeout_graceful_shutdown=max(1, round(
                                        settings.shutdown_drain_s)),
                                    ssl_certfile=tls.get("ssl_certfile"),
                                    ssl_keyfile=tls.get("ssl_keyfile")))
    server.base_url = base_url
    server.drain = app.state.drain
    server.manifest = manifest_path
    server.instance = manifest["instance"]
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    # also when it never served (its startup failed)
    forget_manifest(manifest_path, manifest["instance"])
    log.info("hub stopped")
    return 0 if server.started else 1


def migrate_sqlite(settings: HubSettings) -> None:
    """An SQLite hub (the embedded default) is brought to head on start: nothing when it is
    there, the bundle's empty database at head for a new file, else Alembic. A database a
    newer hub migrated is served as it is (logged)."""
    url = settings.effective_database_url
    if not settings.is_sqlite or migrate.sqlite_at_head(url):
        return
    if not migrate.sqlite_from_template(url):
        try:
            asyncio.run(_upgrade(settings))
        except migrate.NewerDatabase as exc:
            migrate.warn_newer(exc.revision)


async def _upgrade(settings: HubSettings) -> None:
    engine = make_engine(settings)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def _admin_token(settings: HubSettings, data_dir: Path) -> str:
    if settings.admin_token is not None:
        return settings.admin_token.get_secret_value()
    path = data_dir / "admin.token"
    create_private_once(path, secrets.token_urlsafe(32).encode())
    token = path.read_text(encoding="ascii").strip()
    if not token:  # left by an older version's first start on a full disk
        raise SettingsError(empty_file_text(path, "admin token"))
    return token


def forget_manifest(path: Path, instance: str) -> None:
    """Remove ``path`` (``hub.json``) if it still names this start (``instance``): a hub
    started since on the same data dir keeps its own, even with the same pid."""
    try:
        theirs = json.loads(path.read_bytes()).get("instance")
    except (OSError, ValueError, AttributeError):  # gone, or not a manifest of ours
        return
    if theirs == instance:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


class _Server(uvicorn.Server):
    """Prints the base URL once uvicorn accepts connections; a SIGTERM starts the drain (the
    hub says it is not ready, and the drain's time counts from it)."""

    base_url = ""
    drain: Drain | None = None
    manifest: Path | None = None  # hub.json, removed once the shutdown is done
    instance = ""  # the manifest's mark of this start

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain is not None:
            self.drain.begin()
        super().handle_exit(sig, frame)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(self.base_url, flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        self._captured_signals.clear()  # exit 0 on SIGTERM instead of re-raising it
        if self.manifest is not None:  # before a possible os._exit below
            forget_manifest(self.manifest, self.instance)
        left, overran = left_running(), overran_steps()
        if left or overran:
            # the shutdown's work is done (drain, leases, closes); asyncio.run would await
            # these tasks for ever (and the interpreter's end would join a driver's thread
            # an overrun step left blocked), and the process would wait for a SIGKILL
            log.error("hub stopped with background tasks still running: process ended"
                      if left else "hub stopped after a shutdown step overran: process ended",
                      extra={"tasks": left, "steps": overran})
            logging.shutdown()  # written out before the exit
            os._exit(0)
