"""A slow DCM for tests: an ASGI forwarder to the sandbox that holds each payment confirm
until the test releases it (DCM applying a confirm after the caller gave up)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from teller_app.core.embedded_sandbox import SandboxProcess


class HeldConfirm:
    """An ASGI forwarder to the sandbox holding each payment confirm until ``release``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.release = threading.Event()
        self.held = threading.Event()
        self.forwarded = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        confirm = scope["method"] == "POST" and scope["path"].endswith("/payments/confirm")
        if confirm:
            self.held.set()
            # DCM busy: the caller gives up meanwhile
            await asyncio.to_thread(self.release.wait)
        query = scope["query_string"].decode()
        url = self.upstream + scope["path"] + (f"?{query}" if query else "")
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"]
                   if k.lower() not in (b"host", b"content-length")]
        async with httpx.AsyncClient(timeout=60) as client:
            r = await client.request(scope["method"], url, headers=headers, content=body)
        if confirm:
            self.forwarded.set()
        out = [(k.encode(), v.encode()) for k, v in r.headers.items() if k.lower() not in (
            "content-length", "transfer-encoding", "content-encoding", "connection")]
        out.append((b"content-length", str(len(r.content)).encode()))
        await send({"type": "http.response.start", "status": r.status_code, "headers": out})
        await send({"type": "http.response.body", "body": r.content})


@contextmanager
def held_confirms(sandbox: SandboxProcess) -> Iterator[tuple[str, HeldConfirm]]:
    """(the forwarder's URL, the forwarder) for the test's duration."""
    app = HeldConfirm(sandbox.base_url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < end, "forwarder did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        app.release.set()
        server.should_exit = True
        thread.join(10)
