"""A TCP proxy on 127.0.0.1 (its own thread and event loop) that plays a branch's slow backup
link for the link tests: it counts connections, HTTP requests (plain HTTP only: the first line
of each request) and the bytes that come back, and can

* ``handshake_delay``: hold the first bytes each connection gets back for that many seconds
  (a TLS handshake's round trips on a 1 s RTT link, a SYN resent);
* ``stall``: stop passing anything back while keeping every socket open (an LTE stall: the
  request goes out, no answer and no error come back).
"""

from __future__ import annotations

import asyncio
import re
import time

from tests.loopback_proxy import Flow, LoopbackProxy

_REQUEST = re.compile(rb"^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\S+) HTTP/1\.[01]\r\n")


class LinkShaper(LoopbackProxy):
    def __init__(self, upstream_port: int) -> None:
        super().__init__(upstream_port, name="link-shaper")
        self.handshake_delay = 0.0
        self.stall = False
        self.requests: list[str] = []  # "GET /path?query", in the order they went out
        self.bytes_down = 0
        self.start()

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        if flow.up:
            found = _REQUEST.match(data)
            if found:
                self.requests.append(f"{found[1].decode()} {found[2].decode()}")
        else:
            if flow.first and self.handshake_delay > 0:
                await asyncio.sleep(self.handshake_delay)  # the slow link's latency
            if self.stall:
                return  # swallowed: the socket stays open, nothing comes back
            self.bytes_down += len(data)
        await super().forward(data, dst, flow)


async def idle_for(seconds: float) -> None:
    """Let a connection sit idle: the time itself is what a keep-alive test is about (not a
    synchronisation), so this waits until ``seconds`` have passed on the monotonic clock."""
    ends = time.monotonic() + seconds
    while (left := ends - time.monotonic()) > 0:
        await asyncio.sleep(left)
