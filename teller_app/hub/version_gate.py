"""What the hub says about its version, and the writes it refuses for one (``api_version``).

- ``GET /api/v1/version`` (no sign-in; nothing secret): ``{"api", "min_desk_api", "hub"}``;
- ``X-Teller-Hub-Api`` on every answer (``VersionGate``, a middleware);
- a write (POST, PUT, PATCH, DELETE) is refused before any route runs: by a process below the
  database's control level with 503 ``hub_too_old`` (any write: it would skip a newer
  release's controls), and from a desk whose ``X-Teller-Desk-Api`` is below ``MIN_DESK_API``
  with 426 ``desk_too_old`` (the desk API and ``/dcm``; sign-in and sign-out stay open so an
  old desk signs in and is told; IT's admin routes and DCM's Auth Service are no desk's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teller_app.platform.api_version import DESK_API_HEADER, HUB_API_HEADER

from . import api_version
from .code_level import CodeLevel
from .contract import ERROR_REF

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DESK_PATHS = ("/api/v1/", "/dcm/")
# sign-in and sign-out (an old desk signs in and is told), and the audit outbox: an old
# desk's writes straight to DCM (Mode A) are out of the hub's reach, their record is not
ALWAYS_HEARD = frozenset({"/api/v1/sessions", "/api/v1/audit"})
NOT_A_DESK = ("/api/v1/admin/",)  # IT's tools, with the admin token
_DESK_HEADER = DESK_API_HEADER.lower().encode()  # the names the desk's client uses
_HUB_HEADER = HUB_API_HEADER.lower().encode()
DESK_TOO_OLD_TEXT = "this desk is older than the Teller Hub allows: update Teller"
HUB_TOO_OLD_TEXT = ("this hub process is older than its database requires (a newer release "
                    "ran migrate): it takes no writes until it is restarted on the new version")

router = APIRouter(prefix="/api/v1", tags=["desk api"])


class VersionOut(BaseModel):
    api: int
    min_desk_api: int
    hub: str


@router.get("/version", summary="The desk API this hub speaks, the oldest desk API it takes "
            "writes from, and its version (no sign-in)", response_model=VersionOut)
async def version() -> VersionOut:
    return VersionOut(api=api_version.HUB_API, min_desk_api=api_version.MIN_DESK_API,
                      hub=api_version.HUB_VERSION)


def is_desk_write(method: str, path: str) -> bool:
    """A write the desk API version applies to."""
    return (method in WRITE_METHODS and path.startswith(DESK_PATHS)
            and path not in ALWAYS_HEARD and not path.startswith(NOT_A_DESK))


def _desk_api(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == _DESK_HEADER:
            return api_version.desk_api(value.decode("latin-1"))
    return 0


class VersionGate:
    """``X-Teller-Hub-Api`` on every answer; the refusals above, before routing."""

    def __init__(self, app: ASGIApp, level: CodeLevel) -> None:
        self.app = app
        self.level = level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = (_HUB_HEADER, str(api_version.HUB_API).encode())

        async def send_with_api(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), api]}
            await send(message)

        refusal = await self._refusal(scope) if scope["method"] in WRITE_METHODS else None
        if refusal is not None:
            await refusal(scope, receive, send_with_api)
            return
        await self.app(scope, receive, send_with_api)

    async def _refusal(self, scope: Scope) -> JSONResponse | None:
        if await self.level.too_old():
            return JSONResponse({"error": HUB_TOO_OLD_TEXT, "code": api_version.HUB_TOO_OLD},
                                503)
        if is_desk_write(scope["method"], scope["path"]) \
                and _desk_api(scope) < api_version.MIN_DESK_API:
            return JSONResponse({"error": DESK_TOO_OLD_TEXT, "code": api_version.DESK_TOO_OLD,
                                 "min_desk_api": api_version.MIN_DESK_API}, 426)
        return None


def document_desk_refusal(app: FastAPI) -> None:
    """The OpenAPI document (``contract``) lists 426 on every write a desk's API gates."""
    completed: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = completed()
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if is_desk_write(method.upper(), path):
                    operation.setdefault("responses", {}).setdefault("426", {
                        "description": "This desk is older than the hub allows (code "
                                       "desk_too_old): update Teller",
                        "content": {"application/json": {"schema": ERROR_REF}}})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
