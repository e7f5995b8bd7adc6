"""The hub's OpenAPI document as a contract: every operation lists the status codes it really
answers, each error with the ``{"error": "..."}`` body (``errors.HubError``).

Declared ``responses=`` on a route win; what the shared machinery answers is filled in here,
in one place, from the operation itself (so routes added on other branches get it too):

- 422: any input (path, query, header, body) failed validation or a handler's check;
- 401/403: the operation declares a security scheme (``authn.HUB_TOKEN`` and friends): no or
  a stale credential, then a role/branch/admin refusal;
- 404: a path names something that may not exist;
- 413: a request body over the hub's limit (``app.BodyLimit``);
- 503: the database (or DCM, for calls that need it) does not answer — every operation but
  ``/healthz``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path, Query
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    400: "The hub cannot do this in its configuration",
    401: "Missing, unknown or expired credentials",
    403: "Not allowed for this employee (role, branch, four eyes) or not the admin token",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Invalid request: a field, parameter or header failed a check",
    502: "DCM answered with a server error",
    503: "The hub database or DCM does not answer (code database_unavailable: the hub's "
         "database failed before this request changed anything; nothing was done)",
}
ALWAYS_UP = {"/healthz"}
MAX_DB_INT = 2**63 - 1  # SQLite/PostgreSQL bigint: a larger id is a 422, not an overflow 500

# Row ids, sequence numbers and millisecond times in queries and paths.
QueryInt = Annotated[int, Query(ge=0, le=MAX_DB_INT)]
PathInt = Annotated[int, Path(ge=0, le=MAX_DB_INT)]


class Error(BaseModel):
    """Every error answer of the hub (``code``: a stable word for a refusal a desk words
    itself, on some answers only)."""

    error: str
    code: str | None = None


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: these codes, each with the error body."""
    return {code: {"model": Error, "description": DESCRIPTIONS.get(code, "Error")}
            for code in codes}


def implied_codes(path: str, operation: dict[str, Any]) -> set[int]:
    codes: set[int] = set()
    params: list[dict[str, Any]] = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if params or has_body:
        codes.add(422)
    if any(p.get("in") == "path" for p in params):
        codes.add(404)
    if has_body:
        codes.add(413)
    schemes = {name for item in operation.get("security", []) for name in item}
    if schemes:
        codes.add(401)  # the Bank Auth Service (DcmSession) answers 401 only, per §2.5
    if "HubToken" in schemes:
        codes.add(403)
    if path not in ALWAYS_UP:
        codes.add(503)
    return codes


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = Error.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            validation = responses.get("422", {})
            if "HTTPValidationError" in str(validation):  # FastAPI's, not our error body
                responses.pop("422")
            for code in sorted(implied_codes(path, operation)):
                responses.setdefault(str(code), {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_REF}}})
    return schema


def install(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json``."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(title=app.title, version=app.version,
                            description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
