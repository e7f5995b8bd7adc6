"""A real TCP forwarder with a switchable delay: the fault injector for "hub slow"."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.loopback_proxy import Flow, LoopbackProxy


class DelayingProxy(LoopbackProxy):
    """Listens on 127.0.0.1:``port`` (0 = any) and forwards to ``upstream_port``. While
    ``delay`` > 0 each connection waits that long before its first answer bytes go back."""

    def __init__(self, upstream_port: int, port: int = 0) -> None:
        super().__init__(upstream_port, port=port, name="delaying-proxy")
        self.delay = 0.0
        self.start()

    async def on_accept(self, shared: dict[str, Any]) -> None:
        shared["delay"] = self.delay  # as it was when the connection came in

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        if not flow.up and flow.first and flow.shared["delay"] > 0:
            await asyncio.sleep(flow.shared["delay"])
        await super().forward(data, dst, flow)
