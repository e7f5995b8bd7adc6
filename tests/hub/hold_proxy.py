"""A TCP proxy on 127.0.0.1 (its own thread and event loop) that can stop forwarding while
keeping every socket open: a database that went unreachable without a refusal (a dead
route, a firewall dropping packets), which no error tells the hub about. In front of DCM it
can also hold each PUT for ``put_delay`` seconds (a slow write), saying when one arrived
(``put_seen``) and when it went on (``put_sent``)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tests.loopback_proxy import Flow, LoopbackProxy


class HoldProxy(LoopbackProxy):
    def __init__(self, upstream_port: int) -> None:
        super().__init__(upstream_port, name="hold-proxy")
        self.put_delay = 0.0
        self.put_seen = threading.Event()
        self.put_sent = threading.Event()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.start()

    async def on_accept(self, shared: dict[str, Any]) -> None:
        await self._flowing.wait()  # held: accepted, not yet connected on

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        await self._flowing.wait()  # held: the bytes wait, the socket stays open
        put = flow.up and data.startswith(b"PUT ") and self.put_delay > 0
        if put:
            self.put_seen.set()
            await asyncio.sleep(self.put_delay)
        await super().forward(data, dst, flow)
        if put:
            self.put_sent.set()

    def hold(self) -> None:
        self.call_in_loop(self._flowing.clear)

    def release(self) -> None:
        self.call_in_loop(self._flowing.set)

    def close(self) -> None:
        self.release()
        super().close()
