"""A desk's event feed cancelled mid-stream — while it waits for the next event, or while it
saves an outcome's mark, and again while it closes its stream (a window closing, then the
app's own end) — closes its response and every generator under it in its own task. Left
suspended, httpx/httpcore's generators were closed later by the garbage collector, outside
any task or loop ("Exception ignored in: HTTP11ConnectionByteStream.__aiter__ …
NoEventLoopError" after the suite's summary). Runs on the desk's qasync loop, which (like the
app's) installs no async-generator hooks. Real hub (SQLite) and sandbox."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fe_helpers import _client
from hub_proc import PASSWORD, HubProc, add_employee, branches

from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.platform.hub_client import HubClient


@pytest.fixture(scope="module")
def hub_db() -> str | None:
    return None  # the desk's side: the hub's database plays no part


class Marks:
    """Outcome marks whose save can hang (a keyring that does not answer)."""

    def __init__(self, hang: bool) -> None:
        self.hang = hang
        self.saving = asyncio.Event()

    async def load(self, hub_url: str, email: str) -> int | None:
        return None

    async def save(self, hub_url: str, email: str, event_id: int) -> None:
        self.saving.set()
        if self.hang:
            await asyncio.Event().wait()


def _cancelled_again(task: asyncio.Task[None]) -> Callable[[httpx.Response], Awaitable[None]]:
    """``Response.aclose`` during which ``task`` is cancelled a second time (the app's end
    while a window's close is still closing the stream): lands at its first await."""
    real = httpx.Response.aclose

    async def aclose(response: httpx.Response) -> None:
        if asyncio.current_task() is task and not response.is_closed:
            task.cancel()
        await real(response)

    return aclose


def _suspended_generators() -> set[int]:
    """httpx/httpcore/desk async generators started and not finished (what the GC would close)."""
    gc.collect()
    return {id(obj) for obj in gc.get_objects()
            if inspect.isasyncgen(obj) and obj.ag_frame is not None and not obj.ag_running
            and obj.ag_frame.f_globals.get("__name__", "").startswith(
                ("httpx", "httpcore", "teller_app"))}


def _names(ids: set[int]) -> list[str]:
    return sorted(obj.__qualname__ for obj in gc.get_objects()
                  if inspect.isasyncgen(obj) and id(obj) in ids)


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("while_", "cancels"), [("waiting", 1), ("saving-a-mark", 1),
                                                  ("saving-a-mark", 2)])
def test_a_cancelled_feed_closes_its_stream_in_its_own_task(
        hub: HubProc, sandbox: SandboxProcess, arun: Any, qtbot: Any,
        monkeypatch: pytest.MonkeyPatch, while_: str, cancels: int) -> None:
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
    dcm = _client(sandbox)
    hub_client = HubClient(hub.base_url)
    arun(hub_client.open_password_session(teller, PASSWORD))
    before = _suspended_generators()
    marks = Marks(hang=while_ == "saving-a-mark")  # the first connect saves a mark
    feed = EventFeed(HubLink(hub_client, dcm), marks=marks)
    task = asyncio.get_event_loop().create_task(feed.run(lambda _event: None))
    try:
        qtbot.waitUntil(lambda: marks.saving.is_set() and (marks.hang or feed.connected),
                        timeout=20000)
        if cancels == 2:
            monkeypatch.setattr(httpx.Response, "aclose", _cancelled_again(task))
        task.cancel()  # the window closes
        qtbot.waitUntil(task.done, timeout=20000)
        assert task.cancelled()
        left = _suspended_generators() - before
        assert not left, _names(left)
    finally:
        task.cancel()
        arun(hub_client.aclose())
        arun(dcm.aclose())
