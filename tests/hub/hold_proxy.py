"""A TCP proxy on 127.0.0.1 (its own thread and event loop) that can stop forwarding while
keeping every socket open: a database that went unreachable without a refusal (a dead
route, a firewall dropping packets), which no error tells the hub about. In front of DCM it
can also hold each PUT for ``put_delay`` seconds (a slow write), saying when one arrived
(``put_seen``) and when it went on (``put_sent``)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any


class HoldProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.put_delay = 0.0
        self.put_seen = threading.Event()
        self.put_sent = threading.Event()
        self._flowing: asyncio.Event | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="hold-proxy")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        await self._flowing.wait()
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_w, True), self._pipe(up_r, writer, False))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    upstream: bool) -> None:
        assert self._flowing is not None
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()  # held: the bytes wait, the socket stays open
                put = upstream and data.startswith(b"PUT ") and self.put_delay > 0
                if put:
                    self.put_seen.set()
                    await asyncio.sleep(self.put_delay)
                writer.write(data)
                await writer.drain()
                if put:
                    self.put_sent.set()
        except OSError:
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _call(self, fn: Any) -> None:
        self._loop.call_soon_threadsafe(fn)

    def hold(self) -> None:
        assert self._flowing is not None
        self._call(self._flowing.clear)

    def release(self) -> None:
        assert self._flowing is not None
        self._call(self._flowing.set)

    def close(self) -> None:
        self.release()
        self._call(self._stop.set)
        self._thread.join(10)
