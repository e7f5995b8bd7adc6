"""Closing the qloop fixture's qasync loop at a test's end (tests/conftest.py ``qloop``).

Read docs/ARCHITECTURE.md "Testing" before changing it: the teardown order here is what
keeps tests passing together, not only alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
import warnings

END_TASKS_WITHIN_S = 5.0  # what a test left on its qasync loop gets to end, at teardown


def close_qasync_loop(qapp, loop) -> None:  # type: ignore[no-untyped-def]
    # Never loop.stop(): it calls QApplication.exit() while no Qt loop runs and poisons every
    # later waitSignal in the session.
    if loop.is_closed():  # closed already (tests/test_qloop_close.py closes it itself)
        return
    _end_tasks(qapp, loop)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    loop._QEventLoop__is_running = False  # qasync's private flag: "not running" for close()
    with contextlib.suppress(RuntimeError, TypeError, AttributeError):
        qapp.aboutToQuit.disconnect(loop._after_run_forever)
    with contextlib.suppress(RuntimeError):
        loop.close()
    _kill_qasync_timers(loop)


def _end_tasks(qapp, loop) -> None:  # type: ignore[no-untyped-def]
    """Cancel what the test left on the loop and turn the loop until all of it has ended.

    A task left pending when the loop closes is destroyed by the garbage collector later, in
    some other test ("Task was destroyed but it is pending!"; "coroutine ... ignored
    GeneratorExit" for one that awaits in its clean-up, as the event feed closing its stream).
    A cancelled task may still wait on a socket or a thread (a stream's close, an outbox
    write), so this waits for events, not a number of turns; bounded, as a task that ignores
    cancellation is left. Tasks started meanwhile are cancelled too.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    cancelled: set[asyncio.Task[object]] = set()
    wake = QTimer()  # ends each wait below: what is awaited may never come
    wake.start(10)
    deadline = time.monotonic() + END_TASKS_WITHIN_S
    try:
        while time.monotonic() < deadline:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            if not pending:
                break
            for task in pending:
                # a task not started yet gets its first step before its cancel: cancelled
                # before it, its coroutine never runs, and an anyio child task (httpx's
                # connect attempt) leaves the coroutine it wraps "never awaited"
                if task not in cancelled and _started(task):
                    task.cancel()
                    cancelled.add(task)
            qapp.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        else:  # said, not hidden: a task that outlives its cancel is a leak to look at
            left = sorted(task.get_name() + " " + getattr(task.get_coro(), "__qualname__", "?")
                          for task in asyncio.all_tasks(loop) if not task.done())
            if left:
                warnings.warn(f"qloop teardown: still running after {END_TASKS_WITHIN_S} s: "
                              f"{', '.join(left)}", stacklevel=1)
    finally:
        wake.stop()


def _started(task: asyncio.Task[object]) -> bool:
    coro = task.get_coro()
    try:
        return inspect.getcoroutinestate(coro) != inspect.CORO_CREATED  # type: ignore[arg-type]
    except AttributeError:  # not a plain coroutine: cannot tell, so treat it as started
        return True


def _kill_qasync_timers(loop) -> None:  # type: ignore[no-untyped-def]
    """Unregister the closed loop's pending Qt timers now, on the GUI thread.

    qasync's ``close()`` only flags its timer object (a parentless, Python-owned QObject) as
    stopped; the Qt timers of every pending ``call_later`` (httpx/anyio timeouts, cancelled
    handles: ~30 per UI test) stay registered. That object lives in a reference cycle with the
    loop, so the cyclic GC frees it, and the GC runs in whichever thread allocates at the
    time: often a qasync executor QThread (``asyncio.to_thread``). ``~QObject`` off the GUI
    thread cannot unregister the timers, and the next one that fires delivers a QTimerEvent
    to freed memory: a segfault in ``QApplication::notify`` in some later test.
    """
    timer = getattr(loop, "_timer", None)
    callbacks = getattr(timer, "_SimpleTimer__callbacks", None)
    if timer is None or callbacks is None:
        return
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()
