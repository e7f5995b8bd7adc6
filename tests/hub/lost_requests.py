"""A transport in front of the real hub that loses requests: a matched request never reaches
the hub, and the desk gets a read timeout, as when its answer is lost (it cannot tell)."""

from __future__ import annotations

import httpx


class LoseRequests(httpx.AsyncBaseTransport):
    """Forwards every request but the next ``lose_next`` it matches (method, path), which
    are dropped before the hub: ``sent`` counts what reached it, ``lost`` what did not."""

    def __init__(self, method: str, path: str, *, lose_next: int = 1) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.method, self.path = method, path
        self.lose_next = lose_next
        self.sent = 0
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        matched = request.method == self.method and request.url.path == self.path
        if matched and self.lose_next > 0:
            self.lose_next -= 1
            self.lost += 1
            raise httpx.ReadTimeout("injected: the request was lost", request=request)
        self.sent += matched
        return await self.real.handle_async_request(request)

    async def aclose(self) -> None:
        await self.real.aclose()
