"""HTTP transport: timeouts, retries with backoff for idempotent calls, error mapping.

Logs method, path (no query string), status and duration only. Its parts: the retries
(``_http_retry``), query strings (``_http_query``), reading an answer and mapping its errors
(``_http_answer``); their names are importable from here as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, cast

import httpx

from . import _json
from ._http_answer import error_parts as error_parts
from ._http_answer import read_answer, server_date
from ._http_query import QueryScalar as QueryScalar
from ._http_query import QueryValue as QueryValue
from ._http_query import query_params as query_params
from ._http_retry import BACKGROUND
from ._http_retry import RetryPolicy as RetryPolicy
from ._http_retry import background_calls as background_calls
from .api_version import DESK_API, DESK_API_HEADER, USER_AGENT
from .errors import Timeout, Unavailable, hub_did_nothing
from .transport import TransportSettings, client_options, security_error

log = logging.getLogger("teller_app.platform.http")
_handle = read_answer  # the name hub_client imports it by

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
# Answers bigger than this (a 1000-customer page is ~600 KB) are decoded on a worker thread so
# the event loop (the UI thread under qasync) never spends tens of ms in json.loads.
BIG_BODY = 64 * 1024


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
        ends = (None if self.deadline is None or BACKGROUND.get()
                else time.monotonic() + self.deadline)
        attempt = 0
        lost = False  # an earlier attempt may have reached the server and done it
        while True:
            attempt += 1
            try:
                body, date = await self._once(
                    method, path, query, content, form, base_headers, headers, offload,
                    self._attempt_timeout(ends) if attempt > 1 else self._timeout,
                )
                return (body, date) if with_date else body
            except Unavailable as exc:
                if lost and hub_did_nothing(exc):
                    exc.reason = None  # this attempt did nothing, the lost one may have
                lost = lost or not (exc.not_sent or hub_did_nothing(exc))
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
            return await run(read_answer, response, method, path), server_date(response)
        return read_answer(response, method, path), server_date(response)


def _cut(value: float | None, left: float) -> float:
    return left if value is None else min(value, left)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text[:120]
