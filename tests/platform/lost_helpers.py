"""Fault injection for lost answers (on top of ``FaultyTransport``, which forwards to the
real server): a request that times out without ever reaching it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tests.reliability.reliability_helpers import FaultyTransport


@dataclass
class Swallowing(FaultyTransport):
    """``swallow(request)``: no answer in time, and the request never reached the server
    (not applied; to the client it looks exactly like a lost answer)."""

    swallow: Callable[[httpx.Request], bool] = lambda _r: False
    swallowed: int = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.swallow(request):
            self.swallowed += 1
            raise httpx.ReadTimeout("injected: no answer, not applied", request=request)
        return await super().handle_async_request(request)
