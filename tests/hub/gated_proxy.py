"""A TCP proxy in front of DCM (real sockets, its own thread) that can withhold the answer to
a write: DCM has applied it, the hub is still waiting. ``hold(marker)``: the answer to the
next write whose request line names ``marker`` (a GUID) is withheld (``held`` is set then)
until ``release()`` lets it (and everything after) through."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from fe_helpers import wait_for
from hub_proc import HubProc

from tests.loopback_proxy import Flow, LoopbackProxy

WRITES = (b"POST", b"PUT", b"PATCH", b"DELETE")
OLD_GRACE_S = 3.0  # what a hub gave requests in progress at SIGTERM before its drain


def past_the_old_grace(hub: HubProc) -> None:
    """After a SIGTERM: once the hub has it, DCM's answer stays withheld past the old 3 s
    grace, until the hub gives up on the request (the defect: it exits, or says so) or that
    grace is over (then the answer may come)."""
    wait_for(lambda: "Shutting down" in hub.log(), 10)
    deadline = time.monotonic() + OLD_GRACE_S + 1.5
    while time.monotonic() < deadline and hub.process.poll() is None \
            and "timeout graceful shutdown exceeded" not in hub.log():
        time.sleep(0.05)


class GatedProxy(LoopbackProxy):
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        super().__init__(int(parts.port or 80), upstream_host=parts.hostname or "127.0.0.1",
                         name="gated-proxy")
        self.held = threading.Event()
        self._holding = b""
        self._gate = asyncio.Event()

    def hold(self, marker: str) -> None:
        self._holding = marker.encode()

    def release(self) -> None:
        self._holding = b""
        self.call_in_loop(self._gate.set)

    def stop(self) -> None:
        self.release()
        self.close()

    async def on_accept(self, shared: dict[str, Any]) -> None:
        shared["held"] = False

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        """``shared["held"]``: the answer to the request now on this connection is withheld."""
        line = data.split(b"\r\n", 1)[0]
        if flow.up and line.split(b" ", 1)[0] in (b"GET", b"HEAD", *WRITES):
            flow.shared["held"] = bool(self._holding) and self._holding in line and \
                line.split(b" ", 1)[0] in WRITES
        if not flow.up and flow.shared["held"] and self._holding:
            self.held.set()  # DCM answered (so applied): the hub waits on
            await self._gate.wait()
        await super().forward(data, dst, flow)
