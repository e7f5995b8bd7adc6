"""``{"error": "..."}`` everywhere: the API error type and the FastAPI exception handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("teller_sandbox")

INVALID_CREDENTIALS = "Access credentials are invalid"
FORBIDDEN = "forbidden"
FORBIDDEN_BRANCH = "forbidden: branch access"
NOT_FOUND = "not found"
DUPLICATE_CUSTOMER = (
    "failed to create wallet user: failed to sign up: response status code is not 2xx but 409; "
    'error was "{\\"error\\":\\"logic error\\"}\\n"'
)
DUPLICATE_EMPLOYEE = "create employee identity: 409 Conflict"
INVALID_KIND = "failed to create entity: invalid kind: bad request"
MISSING_UUID = "invalid UUID length: 0"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _describe_validation(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        kind = err.get("type", "")
        if kind == "json_invalid":
            return "invalid JSON body"
        msg = err.get("msg", "invalid value")
        if kind == "missing" and not loc:
            return "request body is required"
        where = ".".join(loc) if loc else "body"
        parts.append(f"{where}: {msg}")
    return "invalid request: " + "; ".join(parts)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        from .auth import refusal_before_body  # auth imports this module

        refused = refusal_before_body(request)
        if refused is not None:  # permission before body validation
            return error_response(refused.status, refused.message)
        return error_response(400, _describe_validation(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404:
            text = NOT_FOUND
        elif exc.status_code == 405:
            text = "method not allowed"
        return error_response(exc.status_code, text)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, f"internal error: {type(exc).__name__}")
