"""The shared ``is_disabled`` probe's lifetime: closing the client ends a probe its callers
left, and closes the connection pool even when the close itself is cancelled (fault
injection through httpx.MockTransport)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from platform_fakes import CP, EMAIL, NO_WAIT, PASSWORD, FakePlatform

from teller_app.platform import PasswordLogin, PlatformClient

pytestmark = pytest.mark.asyncio


Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


async def _probe_left_by_its_caller(
        handler: Handler, probing: asyncio.Event) -> tuple[PlatformClient, asyncio.Task[Any]]:
    """A client whose only caller was cancelled during the shared is_disabled probe (which
    ``handler`` holds up, setting ``probing`` when it starts): the client and the probe."""
    client = PlatformClient("https://platform.test", CP, auth=PasswordLogin(EMAIL, PASSWORD),
                            transport=httpx.MockTransport(handler), retry=NO_WAIT)
    listing = asyncio.ensure_future(client.list_customers())
    await probing.wait()
    listing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listing
    probe = client._disabled_probe
    assert isinstance(probe, asyncio.Task) and not probe.done()
    return client, probe


async def test_closing_the_client_ends_a_disabled_probe_its_callers_left() -> None:
    """A caller cancelled during the shared is_disabled probe leaves the probe running;
    closing the client ends it, so it never fails later on a closed pool (CI once saw such
    a task logged at garbage collection, inside another test's ast.parse)."""
    fake = FakePlatform()
    probing, never = asyncio.Event(), asyncio.Event()

    async def slow_probe(request: httpx.Request) -> httpx.Response:
        if "is_disabled" in request.url.params:
            probing.set()
            await never.wait()
        return fake.handle(request)

    client, probe = await _probe_left_by_its_caller(slow_probe, probing)
    await client.aclose()
    assert probe.cancelled()


async def test_a_close_cancelled_while_it_waits_for_the_probe_still_closes_the_pool() -> None:
    """``aclose`` waits for the probe it cancelled; cancelled itself meanwhile (a window
    closing on a timeout), it still closes the connection pool."""
    fake = FakePlatform()
    probing, cancelled, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def stubborn_probe(request: httpx.Request) -> httpx.Response:
        if "is_disabled" in request.url.params:
            probing.set()
            try:
                await release.wait()
            except asyncio.CancelledError:  # outlives one cancellation, like a slow socket
                cancelled.set()
                await release.wait()
        return fake.handle(request)

    client, probe = await _probe_left_by_its_caller(stubborn_probe, probing)
    closing = asyncio.ensure_future(client.aclose())
    await cancelled.wait()  # aclose has cancelled the probe and waits for it
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert client._http._client.is_closed
    release.set()
    await asyncio.wait([probe])


async def test_a_probe_that_outlives_its_cancel_does_not_hold_the_close(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe that ignores the close's cancel (a library losing it) is left after
    ``PROBE_CLOSE_S``: the close ends and the pool is closed (a hub's shutdown once hung)."""
    from teller_app.platform import client_base

    monkeypatch.setattr(client_base, "PROBE_CLOSE_S", 0.1)
    fake = FakePlatform()
    probing, release = asyncio.Event(), asyncio.Event()

    async def deaf_probe(request: httpx.Request) -> httpx.Response:
        if "is_disabled" in request.url.params:
            probing.set()
            while not release.is_set():
                try:
                    await release.wait()
                except asyncio.CancelledError:  # lost: the probe goes on
                    continue
        return fake.handle(request)

    client, probe = await _probe_left_by_its_caller(deaf_probe, probing)
    closing = asyncio.ensure_future(client.aclose())
    done, _ = await asyncio.wait([closing], timeout=30)  # a bound for the test, not a timing
    assert closing in done and closing.exception() is None
    assert client._http._client.is_closed
    assert not probe.done()
    release.set()
    await asyncio.wait([probe])
