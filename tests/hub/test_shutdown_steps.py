"""A step of the hub's shutdown (a close, a release) is bounded: one that ends in time is
quiet, one that overruns is named with where it waited and cancelled, one that fails is
named by its error's type only; the shutdown goes on either way. (The real hub process:
``test_shutdown_bounded``.)"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging

import pytest

from teller_app.hub import shutdown_steps
from teller_app.hub.drain import Drain
from teller_app.hub.shutdown_steps import bounded_step, bounded_steps
from teller_app.hub.task_stop import left_running


async def _quick() -> None:
    await asyncio.sleep(0)


async def _never_answers(started: asyncio.Event) -> None:
    started.set()
    await asyncio.Event().wait()  # a server that keeps the socket open and never answers


async def _fails() -> None:
    raise RuntimeError("secret-looking text")


@pytest.mark.asyncio
async def test_a_step_that_ends_in_time_is_quiet(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        assert await bounded_step("quick close", _quick(), within=5) is True
    assert not caplog.records


@pytest.mark.asyncio
async def test_a_step_that_overruns_is_named_cancelled_and_the_shutdown_goes_on(
        caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        done = await bounded_steps({"engine dispose": _never_answers(started),
                                    "quick close": _quick()}, within=0.2)
    assert done is False and started.is_set()
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.__dict__["step"] == "engine dispose"
    assert any(w.endswith("_never_answers") for w in record.__dict__["waiting_at"])
    assert "engine dispose" in shutdown_steps.overran_steps()
    shutdown_steps.forget_overran()  # as a new app starts: no later test's serve ends for it
    assert shutdown_steps.overran_steps() == []


@pytest.mark.asyncio
async def test_a_step_that_fails_is_named_by_its_error_type_only(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="teller_hub"):
        assert await bounded_step("lease release", _fails()) is True
    [record] = caplog.records
    assert record.__dict__["step"] == "lease release"
    assert record.__dict__["error"] == "RuntimeError"
    assert "secret-looking" not in str(record.__dict__)


async def _loses_every_cancel(started: asyncio.Event, release: asyncio.Event) -> None:
    while not release.is_set():
        with contextlib.suppress(asyncio.CancelledError):  # a library catching it wrongly
            started.set()
            await asyncio.Event().wait()


@pytest.mark.asyncio
async def test_drained_work_that_loses_its_cancel_is_named_and_left_for_serve_to_end(
        caplog: pytest.LogCaptureFixture) -> None:
    """Without ``leave`` ``asyncio.run`` would await that work for ever after the shutdown."""
    drain = Drain(0)
    started, release = asyncio.Event(), asyncio.Event()
    task = drain.track(_loses_every_cancel(started, release), name="test-proxy-bookkeeping")
    await started.wait()
    try:
        with caplog.at_level(logging.INFO, logger="teller_hub"):
            assert await drain.wait() is False
        assert "test-proxy-bookkeeping" in left_running()
        [left] = [r for r in caplog.records
                  if r.msg == "drained work did not stop: left running"]
        assert left.__dict__["task"] == "test-proxy-bookkeeping"
        assert any(w.endswith("_loses_every_cancel") for w in left.__dict__["waiting_at"])
    finally:  # the test's loop ends (it would await the task for ever)
        release.set()
        task.cancel()
        await asyncio.wait({task}, timeout=5)
    assert task.done() and "test-proxy-bookkeeping" not in left_running()


@pytest.mark.asyncio
async def test_steps_cancelled_before_they_start_are_closed_not_left_unawaited() -> None:
    works = {"dcm reader close": _quick(), "event bus close": _quick()}
    task = asyncio.create_task(bounded_steps(works))
    await asyncio.sleep(0)  # gather made its tasks; none of them has run yet
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for work in works.values():  # closed here: no "coroutine … was never awaited" at exit
        assert inspect.getcoroutinestate(work) == inspect.CORO_CLOSED
