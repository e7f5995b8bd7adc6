"""The connections executions use to reach DCM: one pool per hub process and DCM URL.

An execution acts in its approver's name (a DCM session token, or a bank JWT minted for
them), so each one keeps a ``PlatformClient`` of its own (its own auth, cookie jar and
headers) and only borrows the connections: its client's close leaves them to the next
execution, which then pays no new TCP and TLS handshake. Nothing of an execution's
credentials lives on a connection (HTTP headers are per request).

The pool is closed at the hub's shutdown (``close``, a bounded step). An execution the drain
left running keeps the connection it is using until its answer is read (the pool is closed
when the last one is given back); a new request after the close is refused as never sent
("cannot connect"), so a write is not sent while the hub stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from teller_app.platform._http import KEEPALIVE_S
from teller_app.platform.transport import TransportSettings, client_options


class _SharedPool:
    """One DCM URL's connection pool, with the number of requests using it."""

    def __init__(self, base_url: str) -> None:
        # what each execution's client built for itself before (``platform._http.HttpCore``):
        # public roots, the environment ignored (no proxy, no CA from it), httpx's bounds
        verify = client_options(base_url, TransportSettings())["verify"]
        self.transport = httpx.AsyncHTTPTransport(
            verify=verify, trust_env=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20,
                                keepalive_expiry=KEEPALIVE_S))
        self.in_use = 0
        self.closing = False
        self.closed = False

    async def send(self, request: httpx.Request) -> httpx.Response:
        if self.closing:
            raise httpx.ConnectError("the hub is stopping: its DCM connections are closed",
                                     request=request)
        self.in_use += 1
        try:
            response = await self.transport.handle_async_request(request)
        except BaseException:
            await self._given_back()
            raise
        # in use until its body is read (or the response closed): then given back
        response.stream = _GivenBackOnClose(response.stream, self)
        return response

    async def _given_back(self) -> None:
        self.in_use -= 1
        if self.closing and self.in_use == 0:
            await self._close_now()

    async def close(self) -> None:
        self.closing = True
        if self.in_use == 0:
            await self._close_now()

    async def _close_now(self) -> None:
        if not self.closed:
            self.closed = True
            await self.transport.aclose()


class _GivenBackOnClose(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream | httpx.SyncByteStream,
                 pool: _SharedPool) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)
        self._stream = stream
        self._pool = pool
        self._open = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._open:
                self._open = False
                await self._pool._given_back()


class _Borrowed(httpx.AsyncBaseTransport):
    """An execution client's transport: the shared pool, which its close leaves open."""

    def __init__(self, pool: _SharedPool) -> None:
        self._pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool.send(request)

    async def aclose(self) -> None:
        """The pool is the process's: closed by ``DcmConnections.close`` at shutdown."""


class DcmConnections:
    """The hub process's pools of connections to DCM for executions, one per DCM URL."""

    def __init__(self) -> None:
        self._pools: dict[str, _SharedPool] = {}
        self._closed = False

    def transport(self, base_url: str) -> httpx.AsyncBaseTransport:
        """A transport for one execution's client on ``base_url``'s shared pool."""
        key = base_url.rstrip("/")
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _SharedPool(key)
            pool.closing = self._closed  # after the shutdown's close: refused, not opened
        return _Borrowed(pool)

    async def close(self) -> None:
        """Close every pool (one still in use: once its last answer is read)."""
        self._closed = True
        for pool in list(self._pools.values()):
            await pool.close()

    @property
    def closed(self) -> bool:
        """Every pool is closed (none is still in use by an execution the drain left)."""
        return self._closed and all(p.closed or not p.in_use for p in self._pools.values())
