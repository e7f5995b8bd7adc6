"""``teller-hub`` / ``python -m teller_app.hub``: serve, migrate, administer employees and
secrets, the audit chain. Operations guide: docs/OPERATIONS.md.

``serve`` checks its settings, the master key and that the key belongs to the database
before it binds (so ``--port 0`` picks a free port only once it will run), migrates an
embedded SQLite database, writes ``DIR/hub.json`` (0600, atomic) and prints the base URL
alone on a line once connections are accepted. SIGTERM stops it cleanly (exit 0). On
PostgreSQL run ``teller-hub migrate`` once per database (and version) before starting
processes. Exit codes: 0 done; 1 the command ran and says no (a refused audit head, a rewrap
with secrets left on another key, an employee that exists); 2 configuration or usage (a
setting, a key, the database cannot be reached, the database is newer than this hub); any
other: the server failed after it bound its port (its log says why).

Master key (it seals every customer secret: without it they cannot be opened): base64 of 32
bytes in TELLER_HUB_MASTER_KEY, or a 0600 file of 32 bytes (master_key_file; for the SQLite
database in DIR only, by default DIR/master.key, made on the first run). On PostgreSQL it
must be given (no process makes its own), comes from the bank's secret store (a vault agent
or orchestrator secret mounted as that file, or the variable set from it), is backed up
there, apart from the database's backups, and is the same for every hub process of one
database; a key that opens none of the database's sealed rows is refused. A hub never makes
a new key file where DIR/master.key.keyring says the key is in a desk's OS keyring. Admin
token (admin endpoints): TELLER_HUB_ADMIN_TOKEN, else one made into DIR/admin.token and
written into hub.json; a token given in the settings is never written. The embedded hub of
the desk app gets both in its settings line (--settings-stdin) from the desk's OS keyring,
and neither is written to disk.

Rotating the master key (README): the new key as master_key_previous first
(TELLER_HUB_MASTER_KEY_PREVIOUS, base64, or master_key_previous_file), then as master_key
with the old one as master_key_previous, then `teller-hub secrets rewrap`; once it exits 0,
the old key can go.

Off loopback the hub speaks TLS itself (--tls-cert/--tls-key, PEM; tls_cert_file and
tls_key_file in the settings) or says a TLS terminator is in front of it (--behind-tls-proxy,
behind_tls_proxy = true): plain HTTP on a non-loopback --host is refused, since DCM's
X-Session-ID, employees' passwords and customers' secrets cross that connection.

Behind a load balancer: the hub takes a client's address from X-Forwarded-For only when the
connection comes from an address in FORWARDED_ALLOW_IPS (uvicorn's variable, read by
`serve`; by default 127.0.0.1 and ::1). Set it to the balancer's addresses: otherwise every
desk has the balancer's address, and the sign-in throttle's per-address count (30 failures,
signin_per_address_limit) locks the whole bank out for up to 15 minutes. Where that cannot
be set, TELLER_HUB_SIGNIN_PER_ADDRESS_LIMIT=0 switches the per-address count off (the
per-e-mail limit of 5 always holds).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from . import audit_cli, hardening, logs, migrate, secrets_cli
from .cli_errors import database_problem
from .code_level import HubTooOld, refuse_too_old
from .db import make_engine
from .models import NEW_PASSWORD_MAX, NEW_PASSWORD_MIN
from .serve_cmd import MANIFEST_NAME, migrate_sqlite, serve
from .settings import ENV_PREFIX, HubSettings, SettingsError, load_settings

__all__ = ["MANIFEST_NAME", "main", "serve", "settings_from"]
log = logging.getLogger("teller_hub")


class CliError(RuntimeError):
    pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="data directory (hub.db, master.key, hub.json)")
    common.add_argument("--config", help="TOML settings file")
    p = argparse.ArgumentParser(prog="teller-hub", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", parents=[common], help="run the hub")
    serve.add_argument("--host", help="listen address (default 127.0.0.1; off loopback it "
                       "needs --tls-cert or --behind-tls-proxy)")
    serve.add_argument("--port", type=int)
    serve.add_argument("--log-level")
    serve.add_argument("--tls-cert", help="TLS certificate chain (PEM): serve HTTPS")
    serve.add_argument("--tls-key", help="its private key (PEM), unless in --tls-cert")
    serve.add_argument("--behind-tls-proxy", action="store_true", default=None,
                       help="a TLS terminator (load balancer, reverse proxy) is in front: "
                       "plain HTTP off loopback is then allowed")
    serve.add_argument("--settings-stdin", action="store_true",
                       help="read settings as one JSON object line from standard input, after "
                       "loading the app (the embedded hub starts before its settings are known;"
                       " secrets such as master_key and admin_token stay off the environment)")
    sub.add_parser("migrate", parents=[common], help="bring the database to the newest schema")
    emp = sub.add_parser("employees", help="the hub's own employees (Mode B)")
    emp_sub = emp.add_subparsers(dest="action", required=True)
    add = emp_sub.add_parser("add", parents=[common])
    add.add_argument("--email", required=True)
    add.add_argument("--name", default="")
    add.add_argument("--role", action="append", required=True,
                     choices=["Teller", "Supervisor", "Administrator"])
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--branch", help="branch guid")
    where.add_argument("--head-office", action="store_true")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (else prompt)")
    for action in ("disable", "enable", "reset"):
        a = emp_sub.add_parser(action, parents=[common])
        a.add_argument("--email", required=True)
        if action == "reset":
            a.add_argument("--password-stdin", action="store_true")
    emp_sub.add_parser("list", parents=[common])
    secrets_cli.add_parser(sub, common)
    audit_cli.add_parser(sub, common)
    return p.parse_args(argv)


def settings_from(args: argparse.Namespace, given: dict[str, str] | None = None) -> HubSettings:
    """Settings from the config file and environment, then ``given`` (the stdin line), then
    the command line."""
    overrides: dict[str, Any] = dict(given or {})
    if args.data:
        overrides["data_dir"] = Path(args.data).resolve()
    for name in ("host", "port", "log_level", "behind_tls_proxy"):
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    for arg, name in (("tls_cert", "tls_cert_file"), ("tls_key", "tls_key_file")):
        if getattr(args, arg, None) is not None:
            overrides[name] = Path(getattr(args, arg)).resolve()
    config = Path(args.config) if args.config else None
    if config is None and os.environ.get("TELLER_HUB_CONFIG"):
        config = Path(os.environ["TELLER_HUB_CONFIG"])
    return load_settings(config, overrides)


async def _ensure_schema(settings: HubSettings, *, auto: bool, newer_ok: bool = True) -> None:
    """``auto``: migrate (SQLite, and ``teller-hub migrate``), else require the newest schema.
    A database a newer hub migrated is used with a warning (migrations are additive), except
    by ``migrate`` (``newer_ok`` False: ``NewerDatabase``, exit 2)."""
    engine = make_engine(settings)
    try:
        if auto:
            try:
                await migrate.upgrade(engine)
            except migrate.NewerDatabase as exc:
                if not newer_ok:
                    raise
                print(f"teller-hub: warning: {exc}", file=sys.stderr)
            return
        revision = await migrate.current_revision(engine)
        schema = migrate.schema_of(revision)
        if schema in ("none", "behind"):
            raise CliError("the database is not migrated: run `teller-hub migrate` first")
        if schema == "newer" and revision is not None:
            print(f"teller-hub: warning: {migrate.NewerDatabase(revision)}", file=sys.stderr)
    finally:
        await engine.dispose()


def _with_engine(settings: HubSettings, fn: Callable[[Any], Awaitable[Any]], *,
                 sealing: bool = False, writes: bool = True) -> Any:
    """``fn(engine)`` on a migrated database; ``sealing``: it seals with the master key, which
    must then belong to the database (``master_key_check``); ``writes``: refused (exit 2)
    when this code is below the database's control level (``code_level``)."""
    async def run() -> Any:
        await _ensure_schema(settings, auto=settings.is_sqlite)
        engine = make_engine(settings)
        try:
            if writes:
                await refuse_too_old(engine)
            if sealing:
                from .crypto import load_master_key
                from .master_key_check import check_engine

                await check_engine(engine, load_master_key(settings))
            return await fn(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _with_sealing_engine(settings: HubSettings, fn: Callable[[Any], Awaitable[Any]]) -> Any:
    return _with_engine(settings, fn, sealing=True)


def _reading_engine(settings: HubSettings, fn: Callable[[Any], Awaitable[Any]]) -> Any:
    return _with_engine(settings, fn, writes=False)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise CliError("passwords differ")
    else:
        raise CliError("no terminal: pass --password-stdin and pipe the password")
    if not NEW_PASSWORD_MIN <= len(password) <= NEW_PASSWORD_MAX:  # as the admin API
        raise CliError(f"the password must be {NEW_PASSWORD_MIN}..{NEW_PASSWORD_MAX} "
                       "characters")
    return password


def cmd_employees(args: argparse.Namespace, settings: HubSettings) -> int:
    from .employees import PasswordStore
    from .models import EmployeeIn

    email = args.email.strip().lower() if hasattr(args, "email") else ""
    if args.action == "add":
        body = EmployeeIn(email=args.email, name=args.name, password=_read_password(
            args.password_stdin), roles=args.role, branch_guid=args.branch,
            head_office=args.head_office)

        async def add(engine: Any) -> bool:
            return await PasswordStore(engine).add(body.email, body.name, body.password,
                                                   list(body.roles), body.branch_guid,
                                                   body.head_office)

        created = _with_engine(settings, add)
        print(json.dumps({"email": body.email, "created": created}))
        return 0 if created else 1
    if args.action in ("disable", "enable"):
        _with_engine(settings, lambda e: PasswordStore(e).set_disabled(
            email, args.action == "disable"))
        print(json.dumps({"email": email, "disabled": args.action == "disable"}))
        return 0
    if args.action == "reset":
        password = _read_password(args.password_stdin)
        _with_engine(settings, lambda e: PasswordStore(e).reset_password(email, password))
        print(json.dumps({"email": email, "reset": True}))
        return 0
    rows = _reading_engine(settings, lambda e: PasswordStore(e).list())
    for r in rows:
        print(json.dumps({"email": r.email, "name": r.name, "roles": list(r.roles),
                          "branch_guid": r.branch_guid, "head_office": r.head_office,
                          "disabled": r.disabled}, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # before any secret is read (the settings line on stdin, the master key file)
    hardened = hardening.harden_process() if args.command == "serve" else None
    settings: HubSettings | None = None  # for the database error's redaction
    try:
        given: dict[str, str] = {}
        if getattr(args, "settings_stdin", False):
            _prewarm(args)
            given = _settings_from_stdin()
        settings = settings_from(args, given)
        logs.setup(settings.log_level)
        if args.command == "serve":
            if hardened is not None:
                log.info("process hardening", extra=vars(hardened))
            return serve(settings)
        if args.command == "migrate":
            asyncio.run(_ensure_schema(settings, auto=True, newer_ok=False))
            print(json.dumps({"migrated": migrate.head_revision()}))
            return 0
        if args.command == "employees":
            return cmd_employees(args, settings)
        if args.command == "audit":
            return audit_cli.run(args, settings)
        # import seals new secrets: the key must belong to the database; rewrap reports a
        # key that opens nothing itself (exit 1, nothing changed)
        return secrets_cli.run(args, settings, _with_sealing_engine
                               if args.action == "import" else _reading_engine
                               if getattr(args, "check", False) else _with_engine)
    except (SettingsError, CliError, migrate.NewerDatabase, HubTooOld) as exc:
        print(f"teller-hub: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # the database's driver or Alembic: one line, never the password; OSError: a file;
        # ValueError: EmployeeError and pydantic ValidationError
        problem = database_problem(exc, settings)
        if problem is None and not isinstance(exc, OSError | ValueError):
            raise
        print(f"teller-hub: {problem or exc}", file=sys.stderr)
        return 2


# What serving imports on its way (uvicorn's loop, HTTP protocol and lifespan; httpx's
# transport, at the first client): ~65 modules, loaded while waiting rather than after.
SERVING_IMPORTS = (
    "uvicorn.loops.auto", "uvicorn.protocols.http.auto", "uvicorn.protocols.websockets.auto",
    "uvicorn.lifespan.on", "httpcore", "h11", "anyio._backends._asyncio",
)


def _prewarm(args: argparse.Namespace) -> None:
    """Import the app and its routers (most of the start-up) while the parent still gathers
    the settings; a first start also brings its SQLite database to head meanwhile (the
    bundle's template, else Alembic: ~150 ms that would otherwise follow the settings)."""
    from teller_app.platform.transport import public_roots

    from . import app

    app.optional_routers()
    public_roots()  # its HTTP clients' TLS context (~30 ms of CPU)
    for name in SERVING_IMPORTS:
        importlib.import_module(name)
    if args.command != "serve":
        return
    try:
        settings = settings_from(args)  # without the settings still to come on stdin
        migrate_sqlite(settings)
    except Exception as exc:  # serve() migrates (or reports) with the final settings
        log.debug("early migration skipped: %s", type(exc).__name__)


def _settings_from_stdin() -> dict[str, str]:
    """One JSON object line, ``{"dcm_url": "...", ...}``: the hub's settings are returned
    (secrets stay off the command line and out of this process's environment, which a
    process it started would inherit); other names (knobs read from ``TELLER_HUB_*``, such
    as ``watch``) go into the environment."""
    line = sys.stdin.readline()
    if not line.strip():
        raise CliError("--settings-stdin: no settings line on standard input")
    try:
        values = json.loads(line)
    except ValueError:
        raise CliError("--settings-stdin: the line is not JSON") from None
    if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise CliError("--settings-stdin: expected one JSON object of strings")
    given: dict[str, str] = {}
    for name, value in values.items():
        if name in HubSettings.model_fields:
            given[name] = value
        else:
            os.environ[ENV_PREFIX + name.upper()] = value
    return given


if __name__ == "__main__":
    sys.exit(main())
