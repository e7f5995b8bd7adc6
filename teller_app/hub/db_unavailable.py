"""503 "the hub database is unavailable", with ``"code": "database_unavailable"`` when the
request changed nothing before its database failed (did not answer, refused, a full disk):
nothing was done, and a desk says so ("try again when the hub is back") instead of "not
known whether this went through".

Why "no commit" means "nothing done": every change the hub makes is a database commit, and
every write it sends to DCM comes after a commit of the same request (the proxy audits a
write before sending it; an execution runs once its approval is committed). So a request
during which no commit was attempted changed nothing anywhere. A commit that failed is in
doubt (a PostgreSQL connection lost during COMMIT may have committed) except SQLite's
SQLITE_FULL: SQLite's commit is atomic, the full disk stopped it before its commit point, and
it rolled back. A request that had committed anything answers the 503 without the code (its
outcome is in doubt), as does any 503 from elsewhere (a proxy in front of the hub).

Commits are counted per request (``RequestChanges``, an ASGI middleware) by the engine's
events (``watch_commits``); SQLAlchemy runs them in the request's context, so tasks the
request started (an execution) count for it too.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

DATABASE_UNAVAILABLE = "database_unavailable"
UNAVAILABLE_TEXT = "the hub database is unavailable"
SQLITE_FULL = 13  # "database or disk is full" (a primary result code, no extended ones)


@dataclass
class _Changes:
    """One request's commits: attempted, and of them failed without landing."""

    commits: int = 0
    unapplied: int = 0
    committing: Connection | None = None  # whose commit is under way (its error is its own)


_changes: ContextVar[_Changes | None] = ContextVar("hub_request_changes", default=None)


class RequestChanges:
    """Counts each HTTP request's commits (``database_unavailable_answer`` reads them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _changes.set(_Changes())
        try:
            await self.app(scope, receive, send)
        finally:
            _changes.reset(token)


def watch_commits(engine: AsyncEngine) -> None:
    """Count the commits ``engine`` attempts for the request under way, and which failed
    without landing."""
    sync = engine.sync_engine
    event.listen(sync, "commit", _commit)
    event.listen(sync, "handle_error", _failed)
    event.listen(sync, "begin", _settled)
    event.listen(sync, "rollback", _settled)


def database_unavailable_answer() -> JSONResponse:
    """The 503 for a database error that reached the app: with the code only when this
    request changed nothing."""
    changes = _changes.get()
    if changes is not None and changes.commits == changes.unapplied:
        return JSONResponse({"error": UNAVAILABLE_TEXT, "code": DATABASE_UNAVAILABLE}, 503)
    return JSONResponse({"error": UNAVAILABLE_TEXT}, 503)


def _commit(conn: Connection) -> None:
    changes = _changes.get()
    if changes is not None:
        changes.commits += 1
        changes.committing = conn


def _failed(context: ExceptionContext) -> None:
    changes = _changes.get()
    # a commit's error: no statement, on the connection whose commit is under way
    if (changes is None or context.statement is not None or context.connection is None
            or context.connection is not changes.committing):
        return
    changes.committing = None
    if _sqlite_full(context.original_exception):
        changes.unapplied += 1


def _settled(conn: Connection, *_: Any) -> None:
    """A begin or rollback after a commit: that commit returned (its errors come before)."""
    changes = _changes.get()
    if changes is not None and changes.committing is conn:
        changes.committing = None


def _sqlite_full(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == SQLITE_FULL
