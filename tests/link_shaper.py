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
import contextlib
import re
import socket
import threading
import time

_REQUEST = re.compile(rb"^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\S+) HTTP/1\.[01]\r\n")


class LinkShaper:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.handshake_delay = 0.0
        self.stall = False
        self.connections = 0
        self.requests: list[str] = []  # "GET /path?query", in the order they went out
        self.bytes_down = 0
        self._loop = asyncio.new_event_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.port = int(sock.getsockname()[1])
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(sock, ready), daemon=True,
                                        name="link-shaper")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the link shaper did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._handle, sock=sock)
            ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, up=True),
                             self._pipe(up_reader, writer, up=False))

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, *,
                    up: bool) -> None:
        first = True
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while data := await src.read(65536):
                if up:
                    found = _REQUEST.match(data)
                    if found:
                        self.requests.append(f"{found[1].decode()} {found[2].decode()}")
                else:
                    if first and self.handshake_delay > 0:
                        await asyncio.sleep(self.handshake_delay)  # the slow link's latency
                    first = False
                    if self.stall:
                        continue  # swallowed: the socket stays open, nothing comes back
                    self.bytes_down += len(data)
                dst.write(data)
                await dst.drain()
        with contextlib.suppress(Exception):
            dst.close()

    def close(self) -> None:
        async def stop() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(stop(), self._loop)
        self._thread.join(10)
        self._loop.close()


async def idle_for(seconds: float) -> None:
    """Let a connection sit idle: the time itself is what a keep-alive test is about (not a
    synchronisation), so this waits until ``seconds`` have passed on the monotonic clock."""
    ends = time.monotonic() + seconds
    while (left := ends - time.monotonic()) > 0:
        await asyncio.sleep(left)
