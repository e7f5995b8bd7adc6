"""Shared model base and field types: tolerant of unknown fields, exact on known ones."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

DEFAULT_MINOR_UNIT = 2  # [A] UAH kopiykas when the asset does not say


class WireModel(BaseModel):
    """A platform object. Field names are the wire names; unknown fields are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False)


class RequestModel(BaseModel):
    """A request body. Unknown fields are refused (typos in our own code must fail)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _none_to_empty(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)  # a number where a string is expected (e.g. a phone number)
    return value


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value  # Go marshals an empty slice as null


def _none_to_false(value: Any) -> Any:
    return False if value is None else value


def _minor_unit(value: Any) -> int:
    """The one place where a missing or unusable ``minor_unit`` becomes the default."""
    if value is None or isinstance(value, bool):
        return DEFAULT_MINOR_UNIT
    try:
        unit = int(str(value).strip())
    except ValueError:
        return DEFAULT_MINOR_UNIT
    return unit if 0 <= unit <= 18 else DEFAULT_MINOR_UNIT


def minor_unit_of(value: Any) -> int:
    """``minor_unit`` as sent (null, missing, a string, garbage) -> decimal places."""
    return _minor_unit(value)


def _empty_to_none(value: Any) -> Any:
    return None if value in ("", None) else value


def parse_timestamp(value: Any) -> datetime | None:
    """RFC 3339 (with or without microseconds, "Z" or an offset; "t" and "z" in lower case
    too, as its §5.6 allows). Anything unparseable (e.g. the docs' placeholder "text")
    becomes None rather than failing the whole object."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):  # out of range, NaN: unparseable too
            return None
    if isinstance(value, str):
        try:
            # upper case first: fromisoformat reads "Z" only, not "z"
            parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


_parse_timestamp = parse_timestamp  # the name the platform's own modules use


def _to_decimal(value: Any) -> Any:
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return value  # let pydantic report it
    return value


def _to_int(value: Any) -> Any:
    if value is None or value == "":
        return 0
    return value


Str = Annotated[str, BeforeValidator(_none_to_empty)]
"""A string that may arrive as null (kept as "")."""

NullList = BeforeValidator(_none_to_list)
"""For list fields: ``Annotated[list[X], NullList]`` takes null as an empty list."""

Bool = Annotated[bool, BeforeValidator(_none_to_false)]
"""A boolean that may arrive as null (kept as False, the documented defaults)."""

MinorUnit = Annotated[int, BeforeValidator(_minor_unit)]

OptGuid = Annotated[str | None, BeforeValidator(_empty_to_none)]
"""A GUID where "" and null both mean "none" (e.g. a head-office employee's branch)."""

Timestamp = Annotated[
    datetime | None,
    BeforeValidator(parse_timestamp),
    PlainSerializer(lambda v: format_timestamp(v) if v else None, return_type=str | None),
]

Money = Annotated[Decimal, BeforeValidator(_to_decimal)]
"""An exact amount. JSON numbers are parsed as Decimal by the transport."""

Int = Annotated[int, BeforeValidator(_to_int)]


def format_timestamp(value: datetime | str) -> str:
    """RFC 3339 in UTC with microseconds and "Z", as the platform writes them."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def quantize(amount: Decimal, minor_unit: int) -> Decimal:
    """Round a received amount to the asset's minor unit (banker's rounding)."""
    if minor_unit < 0:
        return amount
    return amount.quantize(Decimal(1).scaleb(-minor_unit), rounding=ROUND_HALF_EVEN)


def exact_amount(amount: Decimal, minor_unit: int) -> Decimal:
    """Quantize an amount we are about to send; refuse one with more precision than the asset
    has (rounding money silently is never right)."""
    if not amount.is_finite():
        raise ValueError("amount must be a finite number")
    quantized = quantize(amount, minor_unit)
    if quantized != amount:
        raise ValueError(f"amount {amount} has more than {minor_unit} decimal places")
    return quantized
