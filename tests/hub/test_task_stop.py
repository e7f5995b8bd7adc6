"""A background task that loses its cancel does not hold the hub's shutdown for ever: it is
cancelled again, or left behind, and the log says which task and where it waited."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from hub_proc import hub_env, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.task_stop import stop_task


async def _park(started: asyncio.Event) -> None:
    started.set()
    await asyncio.Event().wait()


async def _loses_one_cancel(started: asyncio.Event) -> None:
    with contextlib.suppress(asyncio.CancelledError):  # a library catching it wrongly
        await _park(started)
    await asyncio.Event().wait()  # goes on: only a second cancel ends it


async def _loses_every_cancel(started: asyncio.Event, release: asyncio.Event) -> None:
    while not release.is_set():
        with contextlib.suppress(asyncio.CancelledError):
            await _park(started)


async def _fails(started: asyncio.Event) -> None:
    started.set()
    raise RuntimeError("a failed pass")


async def _started(coro_fn: object, *args: object) -> tuple[asyncio.Task[None], asyncio.Event]:
    started = asyncio.Event()
    task = asyncio.create_task(coro_fn(started, *args), name="test-watcher")  # type: ignore[operator]
    await started.wait()
    return task, started


@pytest.mark.asyncio
async def test_a_task_that_ends_at_its_cancel_is_stopped_quietly(
        caplog: pytest.LogCaptureFixture) -> None:
    task, _ = await _started(_park)
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        assert await stop_task(task, within=5) is True
    assert task.cancelled()
    assert not caplog.records


@pytest.mark.asyncio
async def test_a_task_that_loses_its_cancel_is_cancelled_again_and_named(
        caplog: pytest.LogCaptureFixture) -> None:
    task, _ = await _started(_loses_one_cancel)
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        assert await stop_task(task, within=0.2, again_within=5) is True
    assert task.cancelled()
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.__dict__["task"] == "test-watcher"
    where = record.__dict__["waiting_at"]
    assert where[0].startswith("test_task_stop.py:") and where[0].endswith("_loses_one_cancel")
    assert any(w.endswith(" wait") for w in where)  # down the awaits: the Event's wait


@pytest.mark.asyncio
async def test_a_task_that_never_stops_is_left_and_the_shutdown_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()
    task, _ = await _started(_loses_every_cancel, release)
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        assert await stop_task(task, within=0.2, again_within=0.2) is False
    assert not task.done()
    levels = [r.levelno for r in caplog.records]
    assert levels == [logging.WARNING, logging.ERROR]
    assert any(w.endswith("_loses_every_cancel") for w in caplog.records[1].__dict__["waiting_at"])
    release.set()
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    assert task.done()


@pytest.mark.asyncio
async def test_a_task_that_failed_is_stopped_and_its_error_taken(
        caplog: pytest.LogCaptureFixture) -> None:
    task, _ = await _started(_fails)
    await asyncio.wait({task}, timeout=5)
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        assert await stop_task(task) is True
        assert await stop_task(None) is True
    [record] = caplog.records  # said, by its type only (never its text)
    assert record.__dict__["error"] == "RuntimeError" and "a failed pass" not in str(
        record.__dict__)


@pytest.mark.slow
def test_a_hub_with_a_task_that_never_stops_still_ends_on_sigterm(
        sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A real hub process with a background task that loses every cancel (the hub's fault
    injector): SIGTERM ends it, exit 0, once its shutdown is done; the log names the task.
    Without the end, ``asyncio.run`` awaits that task for ever and the test's stop kills it."""
    hub = start_hub(tmp_path_factory.mktemp("deaf-task-hub"),
                    {**hub_env(sandbox, None), "TELLER_HUB_TEST_DEAF_TASK": "1"})
    assert hub.stop() == 0, hub.log()[-3000:]
    log = hub.log()
    assert "background task did not stop: left running" in log
    assert "process ended" in log and "test-deaf-task" in log
