"""Query strings of the HTTP transport (``_http``): repeatable parameters, and how a value
is written (booleans, timestamps, exact decimals)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from .models import format_timestamp

QueryScalar = str | int | bool | Decimal | datetime
QueryValue = QueryScalar | Sequence[QueryScalar] | None


def query_params(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    """Repeatable parameters as ``name=a&name=b``; None and empty lists are left out."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, str | int | bool | Decimal | datetime):
            out.append((key, _scalar(value)))
        else:
            out.extend((key, _scalar(item)) for item in value)
    return out


def _scalar(value: QueryScalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
