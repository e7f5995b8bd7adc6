"""A transport in front of the real hub that loses answers: the request reaches the hub and is
applied, then the desk gets a read timeout instead of the answer. Only the answer is faked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx


async def no_wait(_seconds: float) -> None:
    """The client's retry backoff, without waiting (the hub is on loopback)."""


class LoseAnswers(httpx.AsyncBaseTransport):
    """Forwards every request; while ``losing`` is set, a request it matches (method, path)
    is applied by the hub and its answer lost. ``between`` runs after such a write and before
    the loss (another desk acting meanwhile). ``lose_next`` loses only that many answers."""

    def __init__(self, method: str, path: str, *, lose_next: int | None = None,
                 between: Callable[[], Awaitable[None]] | None = None) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.method, self.path = method, path
        self.losing = True
        self.lose_next = lose_next
        self.between = between
        self.sent: list[tuple[str, str]] = []  # what reached the hub

    def matches(self, request: httpx.Request) -> bool:
        return request.method == self.method and request.url.path == self.path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.real.handle_async_request(request)
        self.sent.append((request.method, request.url.path))
        if not (self.losing and self.matches(request)):
            return response
        if self.lose_next is not None:
            if self.lose_next <= 0:
                return response
            self.lose_next -= 1
        await response.aread()
        await response.aclose()
        if self.between is not None:
            await self.between()
        raise httpx.ReadTimeout("injected: the answer was lost", request=request)

    async def aclose(self) -> None:
        await self.real.aclose()

    def count(self) -> int:
        """How many of the matched requests reached the hub."""
        return sum(1 for m, p in self.sent if m == self.method and p == self.path)
