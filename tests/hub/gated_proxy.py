"""A TCP proxy in front of DCM (real sockets, its own thread) that can withhold the answer to
a write: DCM has applied it, the hub is still waiting. ``hold(marker)``: the answer to the
next write whose request line names ``marker`` (a GUID) is withheld (``held`` is set then)
until ``release()`` lets it (and everything after) through."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from urllib.parse import urlsplit

from fe_helpers import wait_for
from hub_proc import HubProc

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


class GatedProxy:
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", int(parts.port or 80))
        self.held = threading.Event()
        self._holding = b""
        self._loop = asyncio.new_event_loop()
        self._gate = asyncio.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gated-proxy", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GatedProxy:
        self._thread.start()
        assert self._ready.wait(10), "the proxy did not start"
        return self

    def hold(self, marker: str) -> None:
        self._holding = marker.encode()

    def release(self) -> None:
        self._holding = b""
        self._loop.call_soon_threadsafe(self._gate.set)

    def stop(self) -> None:
        self.release()
        asyncio.run_coroutine_threadsafe(self._cancel_all(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _cancel_all(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=5) if tasks else None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()

    async def _handle(self, down_r: asyncio.StreamReader, down_w: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            down_w.close()
            return
        last: dict[str, bool] = {"held": False}
        await asyncio.gather(self._pipe(down_r, up_w, last, True),
                             self._pipe(up_r, down_w, last, False))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    last: dict[str, bool], to_dcm: bool) -> None:
        """``last["held"]``: the answer to the request now on this connection is withheld."""
        try:
            while data := await reader.read(65536):
                line = data.split(b"\r\n", 1)[0]
                if to_dcm and line.split(b" ", 1)[0] in (b"GET", b"HEAD", *WRITES):
                    last["held"] = bool(self._holding) and self._holding in line and \
                        line.split(b" ", 1)[0] in WRITES
                if not to_dcm and last["held"] and self._holding:
                    self.held.set()  # DCM answered (so applied): the hub waits on
                    await self._gate.wait()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()
