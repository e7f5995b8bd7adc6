"""The FastAPI application: routers, error handlers and the fault-injection middleware."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import JwtPolicy
from .bankauth import BankAuth
from .bodylimit import BodyLimitMiddleware
from .contract import install as install_contract
from .db import Store
from .errors import error_response, install_handlers


@dataclass
class Config:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    customers: int | None = None
    latency_ms: int = 0
    error_rate: float = 0.0
    session_ttl: float = 900.0
    jwt_audience: str = "dcm"
    dialects: frozenset[str] = frozenset()  # see dialects.py


class FaultMiddleware:
    """Injected latency and errors (``--latency-ms``, ``--error-rate``, ``/__sim`` faults). A
    plain ASGI middleware: ``@app.middleware("http")`` (BaseHTTPMiddleware) costs every
    request a task and a body stream copy, ~1-2 ms on a search keystroke."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/__sim"):
            state = scope["app"].state
            cfg: Config = state.config
            if cfg.latency_ms > 0:
                await asyncio.sleep(cfg.latency_ms / 1000)
            if cfg.error_rate > 0 and state.rng.random() < cfg.error_rate:
                await error_response(503, "service unavailable")(scope, receive, send)
                return
        await self.app(scope, receive, send)


ROUTE_MODULES = ("routes_accounts", "routes_auth", "routes_branch_access",
                 "routes_customer_accounts", "routes_customers", "routes_dictionary",
                 "routes_emission", "routes_limits", "routes_org", "routes_payments",
                 "routes_roles", "routes_sim")


def preload_routes() -> None:
    """Import the route modules (FastAPI builds each route's validators at import: most of the
    start-up). __main__ runs this on a thread while the data dir is prepared."""
    import importlib

    for name in ROUTE_MODULES:
        importlib.import_module(f"{__package__}.{name}")


def create_app(store: Store, config: Config, world: dict[str, Any]) -> FastAPI:
    from . import (
        routes_accounts,
        routes_auth,
        routes_branch_access,
        routes_customer_accounts,
        routes_customers,
        routes_dictionary,
        routes_emission,
        routes_limits,
        routes_org,
        routes_payments,
        routes_roles,
        routes_sim,
    )

    app = FastAPI(
        title="DCM platform sandbox",
        version="1.0",
        description="Simulator of the Prozora/DCM API for the Teller app "
        "(see teller_app/sandbox/README.md).",
    )
    app.state.store = store
    app.state.config = config
    app.state.world = world
    app.state.flows = {}
    app.state.bank_auth = BankAuth(store)
    app.state.jwt_policy = JwtPolicy(config.jwt_audience)
    app.state.rng = random.Random()
    install_handlers(app)

    app.add_middleware(FaultMiddleware)
    if config.dialects:
        from .dialects import DialectMiddleware

        app.add_middleware(DialectMiddleware, dialects=config.dialects)
    # gzip only when asked (Accept-Encoding), as any HTTP server may: the docs say nothing of
    # compression, so the client must read either; outside the dialects (they edit bodies).
    # Level 1: 12x on a sync page at 1.5 ms (level 6: 4.7 ms, on every page of a sync)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(BodyLimitMiddleware)  # outermost: nothing reads a body before it

    for module in (routes_auth, routes_customers, routes_customer_accounts, routes_accounts,
                   routes_org, routes_payments, routes_limits, routes_dictionary,
                   routes_emission, routes_branch_access, routes_roles, routes_sim):
        app.include_router(module.router)
    install_contract(app)
    return app
