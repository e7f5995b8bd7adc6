"""The hub's ASGI app: ``create_app(settings)`` builds the process state in its lifespan."""

from __future__ import annotations

import asyncio
import gc
import importlib
import inspect
import logging
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teller_app.platform.transport import public_roots

from . import migrate
from .code_level import CodeLevel
from .contract import install as install_contract
from .crypto import MasterKey, load_master_key
from .db import make_engine
from .db_unavailable import RequestChanges, database_unavailable_answer, watch_commits
from .directory import DcmDirectory, Directory
from .drain import Drain
from .employees import PasswordStore
from .errors import HubError, validation_text
from .jwks import JwksCache, TokenPolicy
from .routes_api import router as api_router
from .routes_bank_auth import router as bank_auth_router
from .serve_checks import check_cash_zone
from .settings import HubSettings
from .shutdown_steps import TASK_CLOSE_WITHIN_S, bounded_step, bounded_steps, forget_overran
from .state import HubState
from .token_replay import JtiLedger
from .vault import SealedCache
from .version_gate import VersionGate, document_desk_refusal
from .version_gate import router as version_router

log = logging.getLogger("teller_hub")
READY_WITHIN_S = 2.0  # /readyz answers within this, ready or not (a balancer's probe)
MAX_BODY = 4 * 1024 * 1024  # the largest request is an onboarding import
GZIP_MIN_BYTES = 1024  # smaller answers fit in a packet or two: compressing them saves nothing


def optional_routers() -> list[APIRouter]:
    """The Mode-B proxy (``hub/proxy.py``) and four-eyes (``hub/four_eyes.py``) plug in here."""
    found = []
    for name in ("teller_app.hub.proxy", "teller_app.hub.four_eyes",
                 "teller_app.hub.till_api"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def create_app(settings: HubSettings, *, admin_token: str | None = None,
               extra_routers: Sequence[APIRouter] = (),
               master: MasterKey | None = None) -> FastAPI:
    """``master``: the key ``serve`` loaded and checked against the database before it bound
    its port (else loaded here, at start-up)."""
    token = admin_token or (settings.admin_token.get_secret_value() if settings.admin_token
                            else secrets.token_urlsafe(32))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the cash day's zone from these settings, this app's (``till_money.app_cash_zone``;
        # ``serve`` refused one that does not load before it bound its port; an app built
        # without ``serve`` fails to start here)
        app.state.cash_zone = check_cash_zone(settings)
        forget_overran()  # an earlier app's overruns are not this one's to end a process for
        engine = make_engine(settings)
        watch_commits(engine)  # a database error's 503 says whether this request changed nothing
        # verify: the process's shared context of the public roots (what httpx would build
        # for verify=True), built once and, in the embedded hub, before its settings arrive
        # trust_env off: bank JWTs and employees' tokens never go through an environment's
        # proxy or CA (as on the desk); no redirect may carry them elsewhere.
        http = httpx.AsyncClient(timeout=5.0, limits=httpx.Limits(max_connections=50),
                                 verify=public_roots(), trust_env=False,
                                 follow_redirects=False)
        store = PasswordStore(engine)
        dcm = DcmDirectory(settings)
        level.bind(engine)
        app.state.hub = HubState(
            settings=settings, engine=engine, master=master or load_master_key(settings),
            http=http,
            store=store, dcm=dcm, directory=Directory(store, dcm),
            jwks=_jwks(settings, http, engine),
            admin_token=token, sealed_cache=SealedCache(),
        )
        dcm.start()
        # Start-up objects (modules, app, tables) go to the permanent generation: later
        # collections stay short, which keeps the Auth Service's tail latency low. The
        # embedded hub of the bundle starts with the collector off (teller_app/__main__.py):
        # then no gc.collect() first (~0.14 s of CPU before the hub is ready; start-up leaves
        # ~1 000 unreachable objects, frozen once) and the collector is switched on here.
        if gc.isenabled():
            gc.collect()
        gc.freeze()
        gc.enable()
        try:
            yield
        finally:
            # draining (readyz 503) from here if no SIGTERM said so; the four-eyes runtime's
            # shutdown (inner) has awaited its executions: what the proxy left, within the drain
            await drain.wait()
            # then the closes, each bounded and named if it overruns (``shutdown_steps``):
            # the DCM clients at once, the engine last (nothing uses it after)
            await bounded_steps({"dcm directory close": dcm.close(),
                                 "http client close": http.aclose()},
                                within=TASK_CLOSE_WITHIN_S)  # the directory stops its refresh
            await bounded_step("database engine dispose", engine.dispose())

    # no trailing-slash redirects (``/user_auth/`` is a 404, not a 307 to elsewhere); the API's
    # map (/docs, /openapi.json) only when the settings ask for it
    docs: dict[str, Any] = {} if settings.openapi_docs else {
        "docs_url": None, "redoc_url": None, "openapi_url": None}
    app = FastAPI(title="Teller Hub", version="1", lifespan=lifespan, redirect_slashes=False,
                  **docs, **_no_telemetry())
    drain = Drain(settings.shutdown_drain_s)
    app.state.drain = drain
    level = app.state.code_level = CodeLevel()  # the database's control level, cached
    _install_error_handlers(app)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
        """Not ready while the database does not answer or is behind this hub (run
        ``teller-hub migrate``); a database a newer hub migrated stays ready (migrations are
        additive: old processes keep serving until they are restarted on the new version),
        unless a newer release raised the database's control level above this code's
        (``code_level``): then this process takes no writes, and a balancer should send the
        work to the processes that do (its reads keep working)."""
        if drain.draining:  # stopping (SIGTERM): the balancer sends the work elsewhere
            return JSONResponse({"status": "unavailable", "error": "the hub is stopping"}, 503)
        state: HubState = request.app.state.hub
        try:  # a database that stops answering (no refusal) is "not ready" in 2 s, not 20
            async with asyncio.timeout(READY_WITHIN_S):
                rev = await migrate.current_revision(state.engine)
        except (sa.exc.SQLAlchemyError, OSError):  # TimeoutError is an OSError
            return JSONResponse({"status": "unavailable", "error": "database does not answer"},
                                503)
        schema = migrate.schema_of(rev)
        if schema in ("none", "behind"):
            return JSONResponse({"status": "unavailable",
                                 "error": "database is not migrated (run teller-hub migrate)"},
                                503)
        if schema == "newer" and rev is not None:
            migrate.warn_newer(rev)
        if await level.too_old():  # a newer release's migrate raised it: no writes here
            return JSONResponse({"status": "unavailable", "code": "hub_too_old",
                                 "error": "this hub is older than its database requires: "
                                          "restart it on the new version"}, 503)
        return JSONResponse({"status": "ready", "revision": rev, "schema": schema})

    app.include_router(bank_auth_router)
    app.include_router(api_router)
    app.include_router(version_router)
    for router in [*extra_routers, *optional_routers()]:
        app.include_router(router)
    install_contract(app)
    document_desk_refusal(app)
    # gzip when the client accepts it (a 1 000-row /dcm page: 600 KB -> ~70 KB, seconds on
    # a branch's backup link); never the SSE stream (Starlette leaves text/event-stream out,
    # named here too: an event must never wait in a compressor's buffer). Level 1: 12x on a
    # page's JSON at 1.5 ms, where level 6 takes 4.7 ms for 13x (hub CPU per page)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=1,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES,
                                              "text/event-stream"))
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestChanges)  # each request's commits (``db_unavailable``)
    # the hub's API on every answer; a write refused for a version before anything reads it
    app.add_middleware(VersionGate, level=level)
    app.add_middleware(AccessLog)  # added last = outermost: times everything
    return app


def _jwks(settings: HubSettings, http: httpx.AsyncClient, engine: AsyncEngine
          ) -> JwksCache | None:
    if not settings.dcm_url:
        return None
    policy = TokenPolicy(max_lifetime=settings.dcm_token_max_lifetime,
                         issuer=settings.dcm_token_issuer, audience=settings.dcm_token_audience)
    ledger = JtiLedger(engine) if settings.dcm_token_single_use else None
    return JwksCache(settings.dcm_url, http, policy=policy, ledger=ledger)


def _no_telemetry() -> dict[str, Any]:
    """Newer FastAPI instruments every request for OpenTelemetry (~0.4 ms of CPU each, and it
    records exception messages); the hub exports none, so it is switched off where offered."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def hub_error(_: Request, exc: HubError) -> JSONResponse:
        wait = exc.extra.get("retry_after")  # a 429's "later": also as the header
        headers = {"Retry-After": str(wait)} if isinstance(wait, int) else None
        return JSONResponse(exc.body(), exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _describe(exc.errors())}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body": a validation error
            return JSONResponse({"error": "invalid request: the body cannot be parsed"}, 422)
        return JSONResponse({"error": str(exc.detail)}, exc.status_code)

    @app.exception_handler(sa.exc.SQLAlchemyError)
    async def db_error(_: Request, exc: sa.exc.SQLAlchemyError) -> JSONResponse:
        log.error("database error", extra={"error": type(exc).__name__})
        return database_unavailable_answer()

    @app.exception_handler(OSError)
    async def os_error(_: Request, exc: OSError) -> JSONResponse:
        log.error("database or network error", extra={"error": type(exc).__name__})
        return database_unavailable_answer()

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "internal error in the hub (see its log)"}, 500)


def _describe(errors: Sequence[Any]) -> str:
    """``body.email: String should match pattern`` — field paths and rules, never the values."""
    parts = []
    for err in list(errors)[:5]:
        if err.get("type") == "json_invalid":
            return "invalid request: the body is not valid JSON"
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {validation_text(err)}")
    return "invalid request: " + "; ".join(parts)


class BodyLimit:
    """413 for bodies larger than MAX_BODY (declared or streamed), before anything parses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > MAX_BODY):
                await JSONResponse({"error": "request body too large"}, 413)(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise HubError(413, "request body too large")
            return message

        await self.app(scope, limited, send)


class AccessLog:
    """One JSON line per request: method, route template, status, milliseconds (no headers).

    The template (``/api/v1/secrets/{external_id}``), never the path itself: a path
    may name a customer's login."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("teller_hub.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()

        async def send_logged(message: Message) -> None:
            # Logged as the answer starts, so the line exists once the client has the status.
            if message["type"] == "http.response.start" and self.log.isEnabledFor(logging.INFO):
                self.log.info("request", extra={
                    "method": scope["method"], "path": route_template(scope),
                    "status": int(message["status"]),
                    "ms": round((time.perf_counter() - t0) * 1000, 2)})
            await send(message)

        await self.app(scope, receive, send_logged)


def route_template(scope: Scope) -> str:
    """The matched route's path template (set in the scope by the router), or a placeholder
    for a path no route matched."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path[:200] if isinstance(path, str) else "(no route)"
