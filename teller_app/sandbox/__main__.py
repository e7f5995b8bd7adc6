"""``teller-sandbox`` / ``python -m teller_app.sandbox``: start the DCM simulator.

Binds the socket first (so ``--port 0`` picks a free port), prepares the data dir, writes
``DIR/sandbox.json`` atomically, then serves with uvicorn and prints the base URL alone on a line
once connections are accepted.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from . import bankauth, dialects, ledger
from .app import Config, create_app, preload_routes
from .db import Store
from .generator import DEFAULT_CUSTOMERS, top_up_customers
from .world import ensure_world

MANIFEST_NAME = "sandbox.json"
log = logging.getLogger("teller_sandbox")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="teller-sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = any free port")
    p.add_argument("--data", required=True, help="data directory (persistent state)")
    p.add_argument("--customers", type=int, default=None,
                   help=f"ensure at least N synthetic customers (default {DEFAULT_CUSTOMERS})")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--session-ttl", type=float, default=900.0)
    p.add_argument("--bank-auth-url", default=None, metavar="URL",
                   help="the bank's Auth Service (PLATFORM_API §2.5), called at step 3 of "
                   "customer create, additional account and payment confirm; stored with the "
                   "counterparty (a restart without the flag keeps it; \"\" removes it)")
    p.add_argument("--jwt-audience", default="dcm",
                   help="the aud every Mode-B bank JWT must carry (default: dcm)")
    p.add_argument("--log-level", default="warning")
    p.add_argument("--dialect", action="append", default=[], metavar="NAME[,NAME...]",
                   help="documented readings of open choices (README 'Dialects'; 'all')")
    p.add_argument("--dialect-file", metavar="FILE.json",
                   help='{"dialects": [names]} (added to --dialect)')
    args = p.parse_args(argv)
    url = args.bank_auth_url
    if url and not url.startswith(("http://", "https://")):
        p.error("--bank-auth-url must be an http(s) URL")
    try:
        args.dialects = dialects.parse_names(args.dialect)
        if args.dialect_file:
            args.dialects |= dialects.load_file(args.dialect_file)
    except (OSError, ValueError) as exc:
        p.error(str(exc))
    if not 0.0 <= args.error_rate <= 1.0:
        p.error("--error-rate must be between 0 and 1")
    if args.latency_ms < 0 or args.session_ttl <= 0 or (args.customers or 0) < 0:
        p.error("--latency-ms, --customers must be >= 0 and --session-ttl > 0")
    return args


def write_manifest(data_dir: Path, manifest: dict[str, Any]) -> None:
    path = data_dir / MANIFEST_NAME
    tmp = data_dir / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=2))
    os.replace(tmp, path)


def make_private(data_dir: Path) -> None:
    """The data dir holds every demo password, the admin token and the keys: 0700, and every
    file in it 0600 (also those an older sandbox left 0644). New files follow the umask."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in [data_dir, *data_dir.rglob("*")]:
        if path.is_symlink():
            continue
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def build_manifest(store: Store, world: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "counterparty_guid": world["counterparty_guid"],
        "asset": {
            "code": store.meta("asset_code"),
            "issuer": store.meta("asset_issuer"),
            "stellar_code": store.meta("asset_stellar_code"),
            "minor_unit": 2,
        },
        "assets": ledger.assets(store),
        "branches": world["branches"],
        "employees": world["employees"],
        "bank_jwt": world["bank_jwt"],
        "sim_admin_token": world["sim_admin_token"],
        "segment": "retail",
        "pid": os.getpid(),
        "other_counterparty": world["other_counterparty"],
        "bank_auth_url": bankauth.configured_base(store, world["counterparty_guid"]),
        "dcm_jwks_url": f"{base_url}/api/v1/.well-known/jwks.json",
    }


class _Server(uvicorn.Server):
    """Prints the base URL once uvicorn accepts connections."""

    base_url = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not gc.isenabled():
            # The bundle's embedded sandbox starts with the collector off
            # (teller_app/__main__.py): the start-up objects are frozen (never scanned again)
            # and collection starts now.
            gc.freeze()
            gc.enable()
        if self.started:
            print(self.base_url, flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        # uvicorn re-raises SIGTERM/SIGINT after serving, which would kill us before the
        # database is closed; we exit cleanly (status 0) instead.
        self._captured_signals.clear()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s %(message)s")
    data_dir = Path(args.data).resolve()
    make_private(data_dir)

    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # is TCP; without it keep-alive clients see ~40 ms Nagle/delayed-ACK stalls per request.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    base_url = f"http://{host}:{port}"

    # The routes load on a thread while this one prepares the data (a first start hashes the
    # demo passwords with argon2 and makes RSA keys: native code that releases the GIL).
    preload = threading.Thread(target=preload_routes, name="preload-routes", daemon=True)
    preload.start()
    store = Store(data_dir)
    world = ensure_world(store, data_dir)
    if args.bank_auth_url is not None:
        bankauth.configure(store, world["counterparty_guid"], args.bank_auth_url)
    t0 = time.perf_counter()
    wanted = args.customers if args.customers is not None else DEFAULT_CUSTOMERS
    created = top_up_customers(store, world, wanted)
    if created:
        print(f"generated {created} customers in {time.perf_counter() - t0:.2f}s",
              file=sys.stderr, flush=True)
    preload.join()
    config = Config(data_dir=data_dir, host=args.host, port=port, customers=args.customers,
                    latency_ms=args.latency_ms, error_rate=args.error_rate,
                    session_ttl=args.session_ttl, jwt_audience=args.jwt_audience,
                    dialects=args.dialects)
    app = create_app(store, config, world)
    manifest = build_manifest(store, world, base_url)
    manifest["dialects"] = sorted(args.dialects)
    write_manifest(data_dir, manifest)

    # idle connections kept 75 s (uvicorn's default is 5 s): longer than a client's 60 s,
    # so no client reuses one the server is closing
    server = _Server(uvicorn.Config(app, log_level=args.log_level, access_log=False,
                                    lifespan="off", timeout_graceful_shutdown=3,
                                    timeout_keep_alive=75))
    server.base_url = base_url
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
        sock.close()
    print("sandbox stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
