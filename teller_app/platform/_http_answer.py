"""An answer of the HTTP transport (``_http``) read once: a success's JSON body, an error's
text and stable word mapped onto the ``PlatformError`` tree, the server's clock."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from . import _json
from ._hub_errors import CHECK_UNAVAILABLE
from .errors import (
    AuthError,
    Conflict,
    HubCheckUnavailable,
    NotFound,
    PermissionDenied,
    PlatformError,
    RateLimited,
    Unavailable,
    ValidationError,
)

_MAX_MESSAGE = 500
# The documented duplicate texts (HTTP 400): "failed to create wallet user: ... 409 ..."
# and "create employee identity: 409 Conflict".
_DUPLICATE_400 = re.compile(
    r"(failed to create wallet user:.*\b409\b)|(create employee identity:\s*409)", re.I | re.S
)


def server_date(response: httpx.Response) -> datetime | None:
    """The platform's clock (whole seconds, UTC), or None: the ``Date`` header, or, through
    the Teller Hub's Mode-B proxy, DCM's own ``Date`` relayed as ``X-Platform-Date``."""
    value = response.headers.get("x-platform-date") or response.headers.get("date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_answer(response: httpx.Response, method: str, path: str) -> Any:
    status = response.status_code
    if 200 <= status < 300:
        text = response.text
        if not text.strip() or status == 204:
            return {}
        try:
            return _json.loads_in_pieces(text)
        except ValueError:
            raise Unavailable(
                "the platform sent an unreadable answer",
                status_code=status,
                method=method,
                path=path,
            ) from None
    message, code = error_parts(response)
    kwargs: dict[str, Any] = {"status_code": status, "method": method, "path": path,
                              "reason": code, "detail": detail_fields(response)}
    if status == 401:
        kwargs["reason"] = "unauthorized"
        raise AuthError(message or "Access credentials are invalid", **kwargs)
    if status == 403:
        raise PermissionDenied(message or "forbidden", **kwargs)
    if status == 404:
        raise NotFound(message or "not found", **kwargs)
    if status == 409 or (status == 400 and _DUPLICATE_400.search(message)):
        raise Conflict(message or "conflict", **kwargs)
    if status in (400, 422):
        raise ValidationError(message or "bad request", **kwargs)
    if status == 429 and code:
        # The hub's worded "later" (sign-in throttle, a costly check just run): final, as a
        # re-send in a second only counts against the caller. A bare 429 stays retryable.
        raise RateLimited(message or "too many requests", **kwargs)
    if status == 503 and code in CHECK_UNAVAILABLE:
        # the hub (its Mode-B proxy too) answered that a check a write needs could not run:
        # nothing was done, and the hub is up (not "unreachable", never re-sent at once)
        raise HubCheckUnavailable(message or "a check could not run", **kwargs)
    if status in (408, 429) or status >= 500:
        raise Unavailable(message or f"server error {status}", **kwargs)
    raise PlatformError(message or f"unexpected status {status}", **kwargs)


# an error body's structured fields carried on ``PlatformError.detail`` (nothing else: a body
# may hold anything, and only these are read); each a small object of short strings
_DETAIL_KEYS = ("blocking",)


def detail_fields(response: httpx.Response) -> dict[str, Any]:
    """The listed structured fields of an error body (the hub's 409 ``blocking``), {} else."""
    if response.status_code != 409:
        return {}
    try:
        body = _json.loads(response.text)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {key: {k: v[:64] for k, v in value.items() if isinstance(v, str)}
            for key in _DETAIL_KEYS if isinstance(value := body.get(key), dict)}


def error_parts(response: httpx.Response) -> tuple[str, str | None]:
    """The error answer read once: (the platform's text, verbatim: ``{"error": ...}``
    (documented), or ``message``/``detail``/Kratos ``ui.messages``, else the plain body;
    a refusal's stable word ``{"code": "..."}`` (the Teller Hub's), else None)."""
    text = response.text
    try:
        body = _json.loads(text)
    except ValueError:
        return text.strip()[:_MAX_MESSAGE], None
    found = _find_message(body)
    code = body.get("code") if isinstance(body, dict) else None
    return ((found if found is not None else text.strip())[:_MAX_MESSAGE],
            code[:64] if isinstance(code, str) and code else None)


def _find_message(body: Any) -> str | None:
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return None
    for key in ("error", "message", "detail", "reason"):
        value = body.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict | list):
            nested = _find_message(value if isinstance(value, dict) else {"x": value})
            if nested:
                return nested
    ui = body.get("ui")
    if isinstance(ui, dict):
        texts = [m.get("text", "") for m in ui.get("messages") or [] if isinstance(m, dict)]
        for node in ui.get("nodes") or []:
            if isinstance(node, dict):
                texts += [
                    m.get("text", "") for m in node.get("messages") or [] if isinstance(m, dict)
                ]
        if any(texts):
            return "; ".join(t for t in texts if t)
    x = body.get("x")
    if isinstance(x, list):
        parts = [str(i.get("msg", i)) if isinstance(i, dict) else str(i) for i in x]
        return "; ".join(parts)
    return None
