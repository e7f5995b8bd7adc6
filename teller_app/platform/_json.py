"""JSON with exact decimals: numbers with a fraction parse as ``Decimal`` and ``Decimal``
values are written as JSON numbers (never floats, never strings)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def loads(text: str | bytes) -> Any:
    """Parse; anything that is not plain JSON raises ValueError: NaN/Infinity (not JSON, and
    not an amount), and nesting too deep for the parser (RecursionError otherwise)."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def dumps(value: Any) -> str:
    return "".join(_encode(value))


def _encode(value: Any) -> list[str]:
    out: list[str] = []
    _write(value, out)
    return out


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool | int | str):
        if isinstance(value, Enum):
            value = value.value
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite decimal cannot be sent")
        text = format(value, "f")
        out.append(text)
    elif isinstance(value, float):
        out.append(format(Decimal(repr(value)), "f"))
    elif isinstance(value, Enum):
        _write(value.value, out)
    elif isinstance(value, datetime):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")


PIECES_ABOVE = 32_768  # characters; smaller texts are decoded in one call
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)
_SPACE = frozenset(" \t\n\r")


def loads_in_pieces(text: str) -> Any:
    """``loads``, but the arrays of a top-level object are decoded one element per call.

    One ``json.loads`` of a 1000-customer page (600 KB) is one C call of 3-10 ms that holds
    the GIL throughout: run on a worker thread, it stalls the UI thread just as long. Element
    by element, the interpreter can hand the GIL over between elements. Anything else (or
    anything malformed: the error then comes from ``loads``) goes through ``loads``."""
    if len(text) < PIECES_ABOVE:
        return loads(text)
    try:
        return _object(text)
    except (ValueError, IndexError, TypeError, RecursionError):
        return loads(text)


def _skip(text: str, at: int) -> int:
    while text[at] in _SPACE:
        at += 1
    return at


def _object(text: str) -> dict[str, Any]:
    decode = _DECODER.raw_decode
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("not an object")
    out: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text[at] == "}":
        at += 1
    else:
        while True:
            if text[at] != '"':
                raise ValueError("expected a key")
            key, at = decode(text, at)
            at = _skip(text, at)
            if text[at] != ":":
                raise ValueError("expected ':'")
            at = _skip(text, at + 1)
            if text[at] == "[":
                items: list[Any] = []
                at = _skip(text, at + 1)
                if text[at] == "]":
                    at += 1
                else:
                    while True:
                        value, at = decode(text, at)
                        items.append(value)
                        at = _skip(text, at)
                        if text[at] == "]":
                            at += 1
                            break
                        if text[at] != ",":
                            raise ValueError("expected ',' or ']'")
                        at = _skip(text, at + 1)
                out[key] = items
            else:
                out[key], at = decode(text, at)
            at = _skip(text, at)
            if text[at] == "}":
                at += 1
                break
            if text[at] != ",":
                raise ValueError("expected ',' or '}'")
            at = _skip(text, at + 1)
    if any(ch not in _SPACE for ch in text[at:]):
        raise ValueError("extra data")
    return out
