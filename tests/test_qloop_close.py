"""The qloop fixture's end (tests/qloop_close.py): what a test left on the loop ends before
the loop closes, so the garbage collector never finishes it later in another test ("coroutine
... was never awaited", "coroutine ... ignored GeneratorExit")."""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from typing import Any

import anyio
from anyio.abc import TaskGroup
from qloop_close import close_qasync_loop


def test_a_task_not_started_yet_runs_before_it_is_cancelled(qapp: Any, qloop: Any,
                                                             qtbot: Any) -> None:
    """httpx's connect attempt is an anyio child task: cancelled before its first step, the
    coroutine it wraps never runs and is reported "never awaited"."""
    groups: list[TaskGroup] = []
    ran: list[str] = []

    async def request() -> None:
        async with anyio.create_task_group() as group:
            groups.append(group)
            await anyio.Event().wait()  # (qasync cannot time an endless sleep)

    async def connect_attempt() -> None:
        ran.append("connect")
        await anyio.Event().wait()

    requesting = asyncio.ensure_future(request())
    qtbot.waitUntil(lambda: bool(groups))
    groups[0].start_soon(connect_attempt)  # its task's first step is only scheduled
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        close_qasync_loop(qapp, qloop)
        gc.collect()
    assert requesting.done() and ran == ["connect"]
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


def test_a_cancelled_task_whose_clean_up_waits_on_a_thread_ends_first(qapp: Any, qloop: Any,
                                                                       qtbot: Any) -> None:
    """As the event feed closing its stream or the audit writing its outbox: the clean-up
    after the cancel takes real time, not a number of loop turns."""
    waiting: list[bool] = []
    cleaned: list[bool] = []

    async def feed() -> None:
        try:
            waiting.append(True)
            await asyncio.Event().wait()
        finally:
            # slow clean-up off the loop's thread (the work itself, not a synchronisation)
            await asyncio.to_thread(time.sleep, 0.3)
            cleaned.append(True)

    task = asyncio.ensure_future(feed())
    qtbot.waitUntil(lambda: bool(waiting))
    close_qasync_loop(qapp, qloop)
    assert task.done() and task.cancelled()
    assert cleaned == [True]


def test_a_task_that_outlives_its_cancel_is_said(qapp: Any, qloop: Any, qtbot: Any,
                                                 monkeypatch: Any) -> None:
    """Bounded, and not silent: a task still running at the deadline is named in a warning
    (the leak is then found where it happened, not in another test)."""
    import qloop_close

    monkeypatch.setattr(qloop_close, "END_TASKS_WITHIN_S", 0.2)
    started: list[bool] = []

    async def deaf() -> None:
        while True:
            started.append(True)
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                continue  # ignores every cancel: the leak this is for

    task = qloop.create_task(deaf(), name="deaf-task")
    qtbot.waitUntil(lambda: bool(started))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        close_qasync_loop(qapp, qloop)
    said = [str(w.message) for w in caught if "qloop teardown" in str(w.message)]
    assert len(said) == 1 and "deaf-task " in said[0] and ".<locals>.deaf" in said[0]
    assert not task.done()
    task._log_destroy_pending = False  # type: ignore[attr-defined]  # left on purpose
