"""What both clients (``PlatformClient``, ``HubClient``) do with an answer or a path:
validate an answer into a model, quote a path segment, write exact values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import pydantic

from .errors import PlatformError, Unavailable

M = TypeVar("M", bound=pydantic.BaseModel)


def parse_model(
    model: type[M], data: Any, method: str, path: str, *,
    error: type[PlatformError] = Unavailable, source: str = "",
) -> M:
    """``data`` as ``model``; a wrong shape is ``error`` ("unexpected answer shape [from
    ``source``] (N problems)"), never pydantic's text: it may quote a value sent to us."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        where = f" from {source}" if source else ""
        raise error(
            f"unexpected answer shape{where} ({exc.error_count()} problems)",
            method=method,
            path=path,
        ) from None


def path_segment(value: str) -> str:
    """One path segment: ``/``, ``?``, ``#`` and the rest quoted (an id never changes the
    route)."""
    return quote(value, safe="")


def exact_text(value: Any) -> Any:
    """JSON-ready with Decimals as their exact text (a reader parses them back exactly),
    through dicts, lists and tuples."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): exact_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [exact_text(v) for v in value]
    return value
