"""The sandbox's own checks of customer input (create and update) and the ``text-unchecked``
dialect that turns off the ones no doc passage states.

By default: control characters and bidirectional controls can disguise a name in an inbox or
a log line, and a leading ``=``/``+``/``-``/``@`` turns a name into a formula when a list is
opened in a spreadsheet, so both are refused; text is capped at 500 characters (``status``
2000) and ``kyc_level`` at 0..1 000 000. The docs state none of these (seed page: every such
field is a plain ``string`` / ``integer``; §3.4 "the platform stores whatever string it is
given; validation is the bank's job"), so under ``text-unchecked`` a customer is stored with
whatever text the JSON carries and any ``kyc_level`` a 64-bit integer holds (a Go server's
``int``: a bigger number does not decode, hence still a 400).
"""

from __future__ import annotations

import unicodedata

from fastapi import Request

from .errors import ApiError, bad_request

TEXT_UNCHECKED = "text-unchecked"
MAX_STATUS = 2000
MAX_TEXT = 500
MAX_KYC = 1_000_000
INT64 = 2**63

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
NAME_FIELDS = frozenset({"name", "surname", "paternal_name"})
FORMULA_LEADS = ("=", "+", "-", "@")


def unchecked(request: Request) -> bool:
    """True when the sandbox serves the ``text-unchecked`` dialect."""
    return TEXT_UNCHECKED in request.app.state.config.dialects


def checked_text(value: str | None, field: str, *, loose: bool,
                 limit: int = MAX_TEXT) -> str | None:
    """``value`` when it passes the text checks (``loose``: always, as it is)."""
    if loose:
        return value
    if value is not None and len(value) > limit:
        raise bad_request(f"{field} is too long (max {limit} characters)")
    check_text(value, field)
    return value


def check_kyc(level: int | None, *, loose: bool) -> None:
    if level is None:
        return
    if loose:
        if not -INT64 <= level < INT64:  # what a Go int64 field cannot decode
            raise bad_request(f"kyc_level: cannot unmarshal number {level} into int64")
        return
    if not 0 <= level <= MAX_KYC:
        raise bad_request(f"kyc_level must be between 0 and {MAX_KYC}")


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
