"""HTTP transport: timeouts, retries with backoff for idempotent calls, error mapping.

Logs method, path (no query string), status and duration only.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import httpx

from . import _json
from ._hub_errors import CHECK_UNAVAILABLE
from .api_version import DESK_API, DESK_API_HEADER, USER_AGENT
from .errors import (
    AuthError,
    Conflict,
    HubCheckUnavailable,
    NotFound,
    PermissionDenied,
    PlatformError,
    RateLimited,
    Timeout,
    Unavailable,
    ValidationError,
)
from .models import format_timestamp
from .transport import TransportSettings, client_options, security_error

log = logging.getLogger("teller_app.platform.http")

QueryScalar = str | int | bool | Decimal | datetime
QueryValue = QueryScalar | Sequence[QueryScalar] | None
HeaderFactory = Callable[[], Mapping[str, str]]
Sleep = Callable[[float], Awaitable[None]]
Offload = Callable[..., Awaitable[Any]]
"""Runs ``fn(*args)`` off the event loop and awaits it (default ``asyncio.to_thread``)."""

# A branch's LTE/3G backup link (300-800 ms RTT): a SYN resent once (Linux: after 1 s) plus
# TCP and a TLS 1.2 handshake at 1 s RTT (3 round trips) take ~4 s, so 2-3 s made the hub
# unreachable on exactly the link that needs it. One value for every client of ours.
CONNECT_TIMEOUT_S = 10.0
DEFAULT_TIMEOUT = httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=10.0, write=10.0, pool=5.0)
# Idle connections are kept this long (httpx's default is 5 s): a new one costs TCP + TLS,
# ~1 s on a slow link, between two actions of a teller. Our servers keep theirs 75 s, longer,
# so the client never reuses a connection the server is closing.
KEEPALIVE_S = 60.0
# How long a teller waits for one call, retries included: one retry after a read timeout,
# not three (30 s). Background work (the sync, ``background_calls``) keeps every attempt.
INTERACTIVE_DEADLINE_S = 12.0
_MIN_ATTEMPT_S = 1.0  # no retry with less time than this left before the deadline
_BACKGROUND: ContextVar[bool] = ContextVar("teller_background_calls", default=False)
# Answers bigger than this (a 1000-customer page is ~600 KB) are decoded on a worker thread so
# the event loop (the UI thread under qasync) never spends tens of ms in json.loads.
BIG_BODY = 64 * 1024
_MAX_MESSAGE = 500
# The documented duplicate texts (HTTP 400): "failed to create wallet user: ... 409 ..."
# and "create employee identity: 409 Conflict".
_DUPLICATE_400 = re.compile(
    r"(failed to create wallet user:.*\b409\b)|(create employee identity:\s*409)", re.I | re.S
)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, for idempotent requests (GET, PUT) only."""

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 4.0
    jitter: bool = True

    def delay(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling) if self.jitter else ceiling


@contextlib.contextmanager
def background_calls() -> Iterator[None]:
    """Within (this context, and the tasks created in it): calls are background work, retried
    ``RetryPolicy.attempts`` times however long that takes (no interactive deadline)."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


def query_params(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    """Repeatable parameters as ``name=a&name=b``; None and empty lists are left out."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, str | int | bool | Decimal | datetime):
            out.append((key, _scalar(value)))
        else:
            out.extend((key, _scalar(item)) for item in value)
    return out


def _scalar(value: QueryScalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class HttpCore:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        settings: TransportSettings | None = None,
        deadline: float | None = INTERACTIVE_DEADLINE_S,
    ) -> None:
        """``deadline``: seconds after which an interactive call makes no more retries (None:
        only ``retry.attempts`` bounds them)."""
        # Checked first: a plain-http non-loopback URL or a bad pin raises before any traffic.
        options = client_options(base_url, settings)
        if timeout is None:
            timeout = DEFAULT_TIMEOUT
        elif not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout)
        self.retry = retry or RetryPolicy()
        self.deadline = deadline
        self._timeout = timeout
        self._sleep: Sleep = sleep or asyncio.sleep
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            # httpx's own pool bounds (100, 20 kept), with the longer keep-alive
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20,
                                keepalive_expiry=KEEPALIVE_S),
            # the desk's API on every request: the Teller Hub refuses writes from a desk
            # older than it allows (``api_version``); DCM ignores the header
            headers={"Accept": "application/json", "User-Agent": USER_AGENT,
                     DESK_API_HEADER: str(DESK_API)},
            **options,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def raw_get(self, path: str, params: Mapping[str, QueryValue] | None,
                      headers: Mapping[str, str]) -> httpx.Response:
        """One GET as it came back (no error mapping, no retry: the doctor's evidence), on
        this client's connection: its TLS roots, SPKI pins and proxy, never the
        environment's."""
        query = query_params(params or {})
        return await self._client.get(path, params=cast(Any, query) or None,
                                      headers=dict(headers), timeout=15.0)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: HeaderFactory | None = None,
        idempotent: bool | None = None,
        with_date: bool = False,
        offload: Offload | None = None,
    ) -> Any:
        """Send one logical request and return the parsed JSON body ({} when empty); with
        ``with_date``, ``(body, server_date)`` (the answer's HTTP ``Date``, None if absent).

        Retried (backoff + jitter) on Unavailable/Timeout when idempotent (reads by
        default). A write (PUT and DELETE too) is sent once: its caller settles a lost
        answer by reading, because a blind re-send may undo a change made in between. Any
        method is retried when the connection could not be opened at all (nothing was
        sent). Outside ``background_calls`` retries are bound by ``deadline`` (from the
        call's start): one is made only with ``_MIN_ATTEMPT_S`` left, and its timeouts end
        at the deadline; the first attempt keeps the client's own timeouts."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "OPTIONS")
        content: str | None = None
        base_headers: dict[str, str] = {}
        if json_body is not None:
            content = _json.dumps(json_body)
            base_headers["Content-Type"] = "application/json"
        query = query_params(params or {})
        ends = (None if self.deadline is None or _BACKGROUND.get()
                else time.monotonic() + self.deadline)
        attempt = 0
        while True:
            attempt += 1
            try:
                body, date = await self._once(
                    method, path, query, content, form, base_headers, headers, offload,
                    self._attempt_timeout(ends) if attempt > 1 else self._timeout,
                )
                return (body, date) if with_date else body
            except Unavailable as exc:
                if attempt >= self.retry.attempts or not (idempotent or exc.not_sent):
                    raise
                delay = self.retry.delay(attempt)
                if ends is not None and ends - time.monotonic() - delay < _MIN_ATTEMPT_S:
                    raise
                log.debug("retry %s %s in %.2fs after %s", method, path, delay, type(exc).__name__)
                await self._sleep(delay)

    def _attempt_timeout(self, ends: float | None) -> httpx.Timeout:
        """The client's timeouts, each cut to what is left before ``ends``."""
        if ends is None:
            return self._timeout
        left = max(0.1, ends - time.monotonic())
        t = self._timeout
        return httpx.Timeout(connect=_cut(t.connect, left), read=_cut(t.read, left),
                             write=_cut(t.write, left), pool=_cut(t.pool, left))

    async def _once(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        content: str | None,
        form: Mapping[str, str] | None,
        base_headers: Mapping[str, str],
        headers: HeaderFactory | None,
        offload: Offload | None,
        timeout: httpx.Timeout,
    ) -> tuple[Any, datetime | None]:
        all_headers = dict(base_headers)
        if headers is not None:
            all_headers.update(headers())
        started = time.monotonic()
        try:
            response = await self._client.request(
                method,
                path,
                params=cast(Any, query) or None,
                content=content.encode("utf-8") if content is not None else None,
                data=dict(form) if form is not None else None,
                headers=all_headers,
                timeout=timeout,
            )
        except httpx.TimeoutException as exc:
            err: Unavailable = Timeout(
                f"no answer in time ({type(exc).__name__})", method=method, path=path
            )
            err.not_sent = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            log.info("%s %s timed out after %.0f ms", method, path, _ms(started))
            raise err from None
        except httpx.ConnectError as exc:
            insecure = security_error(exc)
            if insecure is not None:  # a wrong pin or certificate: final, never retried
                log.warning("%s %s refused: %s", method, path, insecure.reason)
                raise insecure from None
            err = Unavailable(f"cannot connect ({_short(exc)})", method=method, path=path)
            err.not_sent = True
            log.info("%s %s connect failed after %.0f ms", method, path, _ms(started))
            raise err from None
        except httpx.TransportError as exc:
            log.info("%s %s transport error after %.0f ms", method, path, _ms(started))
            raise Unavailable(
                f"network error ({type(exc).__name__})", method=method, path=path
            ) from None
        log.debug("%s %s -> %d in %.0f ms", method, path, response.status_code, _ms(started))
        if len(response.content) > BIG_BODY:
            run = offload or asyncio.to_thread
            return await run(_handle, response, method, path), _date(response)
        return _handle(response, method, path), _date(response)


def _cut(value: float | None, left: float) -> float:
    return left if value is None else min(value, left)


def _date(response: httpx.Response) -> datetime | None:
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


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:120]


def _handle(response: httpx.Response, method: str, path: str) -> Any:
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
                              "reason": code}
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
