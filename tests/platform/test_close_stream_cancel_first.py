"""``close_stream`` closes everything it is given, and a cancel that lands while it closes
is raised again before a close's own failure: the feed must stop, not reconnect (an
``OSError`` from the response's close took the cancel's place before)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from teller_app.platform._sse import close_stream


class _Failing:
    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True
        raise self.error


async def _reader() -> AsyncGenerator[object, None]:
    yield 1


def test_a_cancel_wins_over_a_close_failure_and_everything_is_closed() -> None:
    async def run() -> None:
        reader = _reader()
        await reader.__anext__()  # suspended, as a stream's reader is
        response = _Failing(OSError("reset"))
        cancelled_in = _Failing(asyncio.CancelledError())
        with pytest.raises(asyncio.CancelledError):
            await close_stream(response, cancelled_in, reader)  # type: ignore[arg-type]
        assert response.closed and cancelled_in.closed
        assert reader.ag_frame is None  # closed too, in this task

    asyncio.run(run())


def test_without_a_cancel_the_first_failure_is_raised() -> None:
    async def run() -> None:
        with pytest.raises(OSError):
            await close_stream(_Failing(OSError("reset")), _reader())

    asyncio.run(run())
