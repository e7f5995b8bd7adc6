"""Unsafe text in customer fields: control characters and bidirectional controls can disguise
a name in an inbox or a log line; a leading ``=``/``+``/``-``/``@`` turns a name into a formula
when a list is opened in a spreadsheet."""

from __future__ import annotations

import unicodedata

from .errors import ApiError, bad_request

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
NAME_FIELDS = frozenset({"name", "surname", "paternal_name"})
FORMULA_LEADS = ("=", "+", "-", "@")


def check_text(value: str | None, field: str) -> None:
    """400 for a control or bidi-control character anywhere, and for a name that starts
    like a spreadsheet formula."""
    if not value:
        return
    for ch in value:
        if ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            raise _refuse(field, f"contains U+{ord(ch):04X}: control and bidirectional "
                                 "characters are not allowed")
    if field in NAME_FIELDS and value.lstrip().startswith(FORMULA_LEADS):
        raise _refuse(field, "must not start with '=', '+', '-' or '@'")


def _refuse(field: str, why: str) -> ApiError:
    return bad_request(f"{field} {why}")
