from __future__ import annotations

import asyncio

import pytest

from teller_app.core.connectivity import Connectivity, is_connectivity_error
from teller_app.platform import NotFound, Timeout, Unavailable


def test_failures_and_success_flip_state_and_notify() -> None:
    seen: list[bool] = []
    conn = Connectivity()
    unsubscribe = conn.add_listener(seen.append)
    assert conn.online
    assert not conn.report_failure(NotFound("nope"))  # a 404 is not "offline"
    assert conn.online
    assert conn.report_failure(Timeout("slow"))
    assert conn.report_failure(Unavailable("down"))  # no duplicate notification
    assert not conn.online
    conn.report_success()
    assert conn.online and seen == [False, True]
    unsubscribe()
    conn.report_failure(Unavailable("down"))
    assert seen == [False, True]


def test_data_age_and_sync_listener() -> None:
    now = [1000.0]
    conn = Connectivity(clock=lambda: now[0])
    ages: list[float] = []
    conn.add_sync_listener(ages.append)
    assert conn.data_age() is None
    conn.set_last_sync()
    now[0] = 1030.0
    assert conn.data_age() == 30.0 and ages == [1000.0]


def test_track_reports_outcome() -> None:
    conn = Connectivity()

    async def fail() -> None:
        raise Unavailable("down")

    async def ok() -> int:
        return 7

    async def scenario() -> None:
        with pytest.raises(Unavailable):
            await conn.track(fail())
        assert not conn.online
        assert await conn.track(ok()) == 7
        assert conn.online

    asyncio.run(scenario())


def test_probe_recovers_by_itself() -> None:
    calls: list[int] = []
    seen: list[bool] = []

    async def probe() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise Unavailable("still down")

    async def scenario() -> None:
        conn = Connectivity(probe, backoff=(0.0,))
        conn.add_listener(seen.append)
        conn.report_failure(Unavailable("down"))  # starts the probe task
        task = conn.start_probing()
        assert task is not None
        await task
        assert conn.online
        await conn.stop()

    asyncio.run(scenario())
    assert len(calls) == 3 and seen == [False, True]


def test_is_connectivity_error() -> None:
    assert is_connectivity_error(Timeout("t"))
    assert not is_connectivity_error(ValueError())
