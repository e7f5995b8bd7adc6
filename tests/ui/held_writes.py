"""A desk whose chosen POSTs reach the platform (they are applied) while their answers are
held until the test lets them through, as a slow network would: for the tests of leaving
(sign-out, close) while a write is on its way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from teller_app.core.session import make_auth
from teller_app.core.session import open_session as core_open
from teller_app.ui.sign_in import sandbox_target
from tests.reliability.reliability_helpers import FaultyTransport

from .conftest import TELLER, make_window, password_of


class HeldWrite(FaultyTransport):
    """A POST that ``matches`` (while ``hold``) is applied; its answer waits for ``gate``."""

    def __init__(self, matches: Callable[[httpx.Request], bool] = lambda _r: False) -> None:
        super().__init__(None)
        self.matches = matches
        self.hold = True
        self.landed = False
        self.gate = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.hold and request.method == "POST" and self.matches(request):
            await response.aread()
            self.landed = True
            await self.gate.wait()
        return response


@contextmanager
def held_window(qtbot: Any, ops: Any, arun: Any, sandbox: Any,
                transport: HeldWrite) -> Iterator[Any]:
    """The teller's main window over ``transport``; torn down with its audit worker."""
    profile = sandbox_target(sandbox.manifest).profile
    session = arun(core_open(profile, make_auth(profile, TELLER, password_of(sandbox, TELLER)),
                             transport=transport))
    window = make_window(qtbot, ops, session, sandbox)
    try:
        yield window
    finally:
        transport.gate.set()
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(window.supervision.audit.aclose())  # the worker reading the outbox restarted
        arun(session.close())
