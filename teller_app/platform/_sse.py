"""Server-sent events as ``HubEvent`` (the Teller Hub's ``/events`` stream)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Protocol

import pydantic

from .hub_models import HubEvent


class Closable(Protocol):
    async def aclose(self) -> None: ...


async def sse_events(lines: AsyncIterator[str]) -> AsyncGenerator[HubEvent, None]:
    """Server-sent event frames (``id:``/``event:``/``data:`` lines, blank line ends one);
    comments (``:`` pings) are skipped."""
    frame: dict[str, str] = {}
    data: list[str] = []
    async for line in lines:
        if line == "":
            if data or frame:
                event = _event_of(frame, "\n".join(data))
                if event is not None:
                    yield event
            frame, data = {}, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name in ("id", "event"):
            frame[name] = value


def _event_of(frame: dict[str, str], data: str) -> HubEvent | None:
    try:
        body = json.loads(data) if data else {}
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    kind = frame.get("event") or str(body.get("kind") or "message")
    if kind == "ready":
        return HubEvent(id=int(body.get("last_event_id") or 0), kind="ready")
    if "id" not in body and frame.get("id", "").isdigit():
        body["id"] = int(frame["id"])
    body.setdefault("kind", kind)
    try:
        return HubEvent.model_validate(body)
    except pydantic.ValidationError:
        return None


async def close_stream(response: Closable, *generators: AsyncGenerator[object, None]) -> None:
    """Close a streamed response, then the generators reading it, all in the calling task.

    Each step runs even if an earlier one fails or a cancel lands in it (a window's close,
    then the app's end): a generator skipped here stays suspended and the garbage collector
    closes it later, outside any task or loop, where httpcore's clean-up fails ("Exception
    ignored in … HTTP11ConnectionByteStream.__aiter__"). The response goes first: it marks
    httpx's and httpcore's streams closed before its first await, so the generators, closed
    after it, end without awaiting. At the end a cancel is raised again before any failure
    (a close's error must not turn a stop into a reconnect), else the first failure."""
    failures: list[BaseException] = []
    for close in (response.aclose, *(generator.aclose for generator in generators)):
        try:
            await close()
        except BaseException as exc:  # raised again below, once the rest are closed
            failures.append(exc)
    if failures:
        stops = [exc for exc in failures if not isinstance(exc, Exception)]
        raise (stops or failures)[0]
