"""A TCP proxy on 127.0.0.1 with its own thread and event loop: the base of the tests' fault
injectors (a slow link, a delayed or withheld answer, a stall that keeps the sockets open).

A subclass changes only what differs: ``on_accept`` (before the upstream connection is
opened) and ``forward`` (each chunk, either way). The loop runs on its own thread so that a
test's own loop, or a blocking test, never decides when bytes move.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self


@dataclass
class Flow:
    """One direction of one proxied connection."""

    up: bool  # client → upstream
    shared: dict[str, Any]  # the connection's: both its flows see it
    first: bool = True  # no chunk has gone this way yet


class LoopbackProxy:
    """Listens on 127.0.0.1:``port`` (0 = any; bound at once, so ``port`` is known before
    ``start()``) and forwards each connection to ``upstream_host``:``upstream_port``."""

    def __init__(self, upstream_port: int, *, upstream_host: str = "127.0.0.1", port: int = 0,
                 name: str = "loopback-proxy") -> None:
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.connections = 0
        self._name = name
        self._writers: list[asyncio.StreamWriter] = []  # every socket's, for close()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # a fixed port (from free_port()) may still have connections in TIME_WAIT
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(64)
        self.port = int(self._sock.getsockname()[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True,
                                        name=self._name)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"the {self._name} did not start")
        return self

    def call_in_loop(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the proxy's loop (its asyncio events are set and cleared there)."""
        self._loop.call_soon_threadsafe(fn)

    def close(self) -> None:
        if self._thread is None:  # never started
            self._sock.close()
            self._loop.close()
            return
        thread = self._thread

        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for writer in self._writers:
                # a peer that stopped reading would keep a graceful close waiting on its bytes
                writer.transport.abort()
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(stop(), self._loop)
        thread.join(10)
        self._loop.close()

    async def on_accept(self, shared: dict[str, Any]) -> None:
        """A connection came in; its upstream connection is opened when this returns."""

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        """Pass one chunk on (a subclass may delay, withhold, swallow or count it first)."""
        dst.write(data)
        await dst.drain()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, sock=self._sock)
            ready.set()

        self._loop.run_until_complete(serve())
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        shared: dict[str, Any] = {}
        await self.on_accept(shared)
        try:
            up_reader, up_writer = await asyncio.open_connection(self.upstream_host,
                                                                 self.upstream_port)
        except OSError:
            writer.close()
            return
        self._writers.append(up_writer)
        await asyncio.gather(self._pipe(reader, up_writer, Flow(True, shared)),
                             self._pipe(up_reader, writer, Flow(False, shared)))

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter,
                    flow: Flow) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            while data := await src.read(65536):
                await self.forward(data, dst, flow)
                flow.first = False
        with contextlib.suppress(Exception):
            dst.close()
