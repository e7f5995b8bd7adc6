"""The connections executions use to reach DCM: one pool per hub process and DCM URL.

An execution acts in its approver's name (a DCM session token, or a bank JWT minted for
them), so each one keeps a ``PlatformClient`` of its own (its own auth, cookie jar and
headers) and only borrows the connections: its client's close gives them back for the next
execution, which then pays no new TCP and TLS handshake. Nothing of an execution's
credentials lives on a connection (HTTP headers are per request).

The pool is closed at the hub's shutdown (``close``, a bounded step) once no execution's
client borrows it any more: an execution the drain left running goes on with every step it
still has to take (a refusal would end an approved request "failed" because this hub was
stopping). A client made after that close gets connections of its own, closed with it, as
every execution had before the pool.
"""

from __future__ import annotations

import logging

import httpx

from teller_app.platform import KEEPALIVE_S
from teller_app.platform.transport import TransportSettings, client_options

log = logging.getLogger("teller_hub.dcm_connections")


def _transport(base_url: str) -> httpx.AsyncHTTPTransport:
    # what each execution's client built for itself before (``platform._http.HttpCore``):
    # public roots, the environment ignored (no proxy, no CA from it), httpx's bounds
    verify = client_options(base_url, TransportSettings())["verify"]
    return httpx.AsyncHTTPTransport(
        verify=verify, trust_env=False,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20,
                            keepalive_expiry=KEEPALIVE_S))


class _SharedPool:
    """One DCM URL's connections, with the number of execution clients borrowing them."""

    def __init__(self, base_url: str) -> None:
        self.transport = _transport(base_url)
        self.borrowers = 0
        self.closing = False
        self.closed = False

    async def given_back(self) -> None:
        self.borrowers -= 1
        if self.closing and self.borrowers == 0:
            # inside the last client's close, its work done: a failed close is only logged
            try:
                await self.close_now()
            except Exception as exc:  # nothing of the execution depends on it
                log.warning("dcm connections close failed", extra={"error": type(exc).__name__})

    async def close(self) -> None:
        self.closing = True
        if self.borrowers == 0:
            await self.close_now()

    async def close_now(self) -> None:
        if not self.closed:
            self.closed = True
            await self.transport.aclose()


class _Borrowed(httpx.AsyncBaseTransport):
    """An execution client's transport: the shared pool, given back (not closed) when the
    client closes."""

    def __init__(self, pool: _SharedPool) -> None:
        self._pool: _SharedPool | None = pool
        pool.borrowers += 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._pool is None:
            raise httpx.ConnectError("this execution's DCM client is closed", request=request)
        return await self._pool.transport.handle_async_request(request)

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.given_back()


class DcmConnections:
    """The hub process's pools of connections to DCM for executions, one per DCM URL."""

    def __init__(self) -> None:
        self._pools: dict[str, _SharedPool] = {}
        self._closed = False

    def transport(self, base_url: str) -> httpx.AsyncBaseTransport:
        """A transport for one execution's client on ``base_url``: the shared pool's (its
        own connections once the pool is closed)."""
        key = base_url.rstrip("/")
        pool = self._pools.get(key)
        if pool is None and not self._closed:
            pool = self._pools[key] = _SharedPool(key)
        if pool is None or pool.closed:
            return _transport(key)  # closed with its client
        return _Borrowed(pool)

    async def close(self) -> None:
        """Close every pool (one still borrowed: when its last client closes)."""
        self._closed = True
        for pool in list(self._pools.values()):
            await pool.close()

    @property
    def closed(self) -> bool:
        """Every pool is closed (none is still borrowed by an execution the drain left)."""
        return self._closed and all(p.closed for p in self._pools.values())
