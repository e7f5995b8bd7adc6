"""Amounts: Decimal on the wire (JSON numbers), integer minor units (kopiykas) in storage."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator

from .errors import bad_request

MINOR_UNIT = 2
_SCALE = 10**MINOR_UNIT
MAX_AMOUNT = Decimal("1000000000000")  # 10^12 UAH: anything above is garbage


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a number")
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, int | float | str):
        try:
            dec = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("must be a number") from None
    else:
        raise ValueError("must be a number")
    if not dec.is_finite():
        raise ValueError("must be a finite number")
    return dec


# A JSON number (or numeric string) parsed into a Decimal; range/precision checked by to_minor.
WireDecimal = Annotated[Decimal, BeforeValidator(_to_decimal)]


def to_minor(value: Decimal, field: str = "amount", *, allow_zero: bool = False) -> int:
    """Decimal → minor units, with 400 on negative, zero (unless allowed), over-precise or huge."""
    if value < 0:
        raise bad_request(f"{field} must not be negative")
    if value == 0 and not allow_zero:
        raise bad_request(f"{field} must be greater than 0")
    if value > MAX_AMOUNT:
        raise bad_request(f"{field} is too large")
    scaled = value * _SCALE
    if scaled != scaled.to_integral_value():
        raise bad_request(f"{field} has more than {MINOR_UNIT} decimal places")
    return int(scaled)


def from_minor(value: int | None) -> int | float | None:
    """Minor units → a JSON number (int when whole, else a float with ≤2 decimals)."""
    if value is None:
        return None
    if value % _SCALE == 0:
        return value // _SCALE
    return float(Decimal(value) / _SCALE)


def dec_from_minor(value: int) -> Decimal:
    return Decimal(value) / _SCALE
