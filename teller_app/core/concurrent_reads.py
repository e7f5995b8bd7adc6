"""Independent platform reads sent together, answered as if sent one after another.

On a branch's backup link (500 ms round trips) a card open, the cash dialog's context and a
history page each waited one round trip per read. Here the reads travel at once, and the
outcome is the one the sequential code had: results in argument order, and the first
failure IN ARGUMENT ORDER is raised (a later read's earlier failure waits for the reads
before it), with every read still running cancelled and awaited first: none outlives the
call. A cancel of the caller cancels them all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

A = TypeVar("A")
B = TypeVar("B")
T = TypeVar("T")


async def _in_order(awaitables: tuple[Awaitable[Any], ...]) -> list[Any]:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return [await task for task in tasks]
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # none left running
        raise


async def read_both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """``(await first, await second)``, both in flight at once."""
    a, b = await _in_order((first, second))
    return a, b


async def read_all(*awaitables: Awaitable[T]) -> list[T]:
    """``[await a for a in awaitables]``, all in flight at once."""
    return await _in_order(awaitables)
