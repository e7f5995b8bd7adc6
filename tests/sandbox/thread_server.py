"""An ASGI app served by uvicorn on 127.0.0.1 from a thread of the test process: real HTTP,
while the test can still reach into the app's modules (patch a hasher, read its state)."""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn


class ThreadServer:
    def __init__(self, app: Any, *, lifespan: str = "off") -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan=lifespan))
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Serve from a daemon thread; returns the base URL, usable at once."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)  # connections queue here until uvicorn accepts: no start-up wait
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
