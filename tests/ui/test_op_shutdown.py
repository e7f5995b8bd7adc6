"""Shutting the op runner down: running ops unwind on the loop before it stops, and an op
asked for afterwards (a late timer) never starts."""

from __future__ import annotations

import asyncio

from teller_app.ui.async_op import OpRunner


def test_aclose_lets_running_ops_unwind_and_starts_no_more(qtbot, ops: OpRunner, arun) -> None:  # type: ignore[no-untyped-def]
    unwound: list[str] = []
    started: list[str] = []

    async def until_cancelled(name: str) -> None:
        started.append(name)
        try:
            await asyncio.Event().wait()
        finally:
            unwound.append(name)

    first = ops.run(lambda: until_cancelled("first"), network=False)
    qtbot.waitUntil(lambda: started == ["first"])
    arun(ops.aclose())
    assert unwound == ["first"]  # its finally ran on the loop, not after it
    assert first.done() and not ops.is_busy()
    late = ops.run(lambda: until_cancelled("late"), network=False, key="late")
    assert late.done()
    assert not ops.is_busy() and not ops.is_busy("late")
    late.cancel()  # harmless on an op that never started
    assert started == ["first"]


def test_an_op_asked_for_on_a_closed_loop_never_starts(qtbot, ops: OpRunner, qloop) -> None:  # type: ignore[no-untyped-def]
    called: list[bool] = []

    async def work() -> None:
        called.append(True)

    spare = asyncio.new_event_loop()
    spare.close()
    asyncio.events._set_running_loop(None)  # as after the app's loop stopped and closed
    asyncio.set_event_loop(spare)
    try:
        op = ops.run(work, network=False)
    finally:
        asyncio.set_event_loop(qloop)
        asyncio.events._set_running_loop(qloop)
    assert op.done() and not ops.is_busy()
    assert called == []
