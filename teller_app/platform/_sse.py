"""Server-sent events as ``HubEvent`` (the Teller Hub's ``/events`` stream)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator

import pydantic

from .hub_models import HubEvent


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
