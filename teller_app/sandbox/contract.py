"""The OpenAPI document as a contract: every operation lists the status codes it really
answers, each error with the ``{"error": "..."}`` body, and path GUIDs are ``format: uuid``.

Declared ``responses=`` on a route win; what the shared machinery can answer is filled in here,
in one place, from facts about the route:

- 400: any input (path, query, body) is checked by the handler or by validation (never 422);
- 401/403: the route takes a caller (the ``Who`` dependency, which declares the security
  schemes): credentials, then permission and branch/counterparty scope;
- 404: a path names something (counterparty, customer, …) that may not exist;
- 413: a request body over 1 MB (``bodylimit.py``);
- 503: injected faults (``--error-rate``), on every route outside ``/__sim``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    400: "Invalid request: a field, query parameter or path GUID failed a check",
    401: "Missing, unknown or expired credentials",
    403: "The caller lacks the permission, or the object is outside their branch/counterparty",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Request body over 1 MB",
    503: "Service unavailable (simulated fault)",
}


class Error(BaseModel):
    """Every error answer of the API."""

    error: str


class KratosErrorDetail(BaseModel):
    id: str
    code: int
    status: str
    reason: str
    message: str


class KratosError(BaseModel):
    """Ory Kratos's ``errorGeneric``."""

    error: KratosErrorDetail


def errors(*codes: int, model: type[BaseModel] = Error) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: these codes, each with the error body."""
    return {code: {"model": model, "description": DESCRIPTIONS.get(code, "Error")}
            for code in codes}


def wire(schema: dict[str, Any], **field: Any) -> Any:
    """An optional body field documented as ``schema`` (non-null): the handler checks it and
    answers 400 ``{"error"}``, so validation (and its messages) stay where they are."""
    def replace(s: dict[str, Any]) -> None:
        for key in ("anyOf", "type", "default"):
            s.pop(key, None)
        s.update(schema)
    return Field(default=None, json_schema_extra=replace, **field)


def requires(*names: str) -> ConfigDict:
    """Model config documenting ``names`` as required (checked by the handler: 400)."""
    def add(s: dict[str, Any]) -> None:
        s["required"] = sorted({*s.get("required", []), *names})
    return ConfigDict(strict=True, extra="ignore", json_schema_extra=add)


UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}


def text(max_length: int = 500, min_length: int = 0) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "minLength": min_length}


def implied_codes(path: str, operation: dict[str, Any]) -> set[int]:
    """What the shared machinery can answer for this operation (see the module docstring)."""
    codes: set[int] = set()
    params = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if params or has_body:
        codes.add(400)
    if any(p.get("in") == "path" for p in params):
        codes.add(404)
    if has_body:
        codes.add(413)
    if operation.get("security"):  # the caller dependency (auth.current) declares it
        codes |= {401, 403}
    if not path.startswith("/__sim"):
        codes.add(503)
    return codes


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = Error.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for code in sorted(implied_codes(path, operation)):
                responses.setdefault(str(code), {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_REF}}})
            for param in operation.get("parameters", []):
                if param.get("in") == "path" and param["name"].endswith("_guid"):
                    param["schema"] = {**param.get("schema", {}), "format": "uuid"}
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


__all__: list[str] = ["DATE_TIME", "UUID", "Error", "KratosError", "errors", "install",
                      "requires", "text", "wire"]
