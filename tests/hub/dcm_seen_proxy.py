"""A TCP proxy in front of DCM (``GatedProxy``: it can also withhold a write's answer) that
numbers the connections it accepts and records each request's line and headers with the
connection that carried it, and which connections the client (the hub) closed."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

from gated_proxy import WRITES, GatedProxy

from tests.loopback_proxy import Flow

METHODS = (b"GET", b"HEAD", *WRITES)


@dataclass(frozen=True)
class Seen:
    connection: int
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    raw: bytes  # the header block as sent


class DcmSeenProxy(GatedProxy):
    def __init__(self, upstream_url: str) -> None:
        super().__init__(upstream_url)
        self.requests: list[Seen] = []
        self.closed_by_client: set[int] = set()
        self.changed = threading.Event()  # set at every record (a test's wait wakes)
        self._accepted = 0

    async def on_accept(self, shared: dict[str, Any]) -> None:
        await super().on_accept(shared)
        self._accepted += 1
        shared["id"] = self._accepted

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        if flow.up and data.split(b" ", 1)[0] in METHODS:
            head = data.split(b"\r\n\r\n", 1)[0]
            line, *fields = head.split(b"\r\n")
            method, path, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            for field in fields:
                name, _, value = field.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            self.requests.append(Seen(flow.shared["id"], method, path, headers, head))
            self.changed.set()
        await super().forward(data, dst, flow)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter,
                    flow: Flow) -> None:
        await super()._pipe(src, dst, flow)
        if flow.up:  # the client's side ended (the hub closed the connection)
            self.closed_by_client.add(flow.shared["id"])
            self.changed.set()

    def writes_to(self, guid: str) -> list[Seen]:
        """The writes (PUT, POST...) whose path names ``guid``, in order."""
        return [s for s in list(self.requests)
                if s.method.encode() in WRITES and guid in s.path]
