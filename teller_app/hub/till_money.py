"""Hryvnia cash by denomination, in integer kopiyky, and the cash day (zone: ``cash_tz``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .errors import HubError
from .settings import CASH_TZ_DEFAULT

# key → value in kopiyky. Notes and coins of the same face value are counted apart.
DENOMINATIONS: dict[str, int] = {
    "note_1000": 100000, "note_500": 50000, "note_200": 20000, "note_100": 10000,
    "note_50": 5000, "note_20": 2000, "note_10": 1000, "note_5": 500, "note_2": 200,
    "note_1": 100, "coin_10": 1000, "coin_5": 500, "coin_2": 200, "coin_1": 100,
    "coin_0.50": 50, "coin_0.10": 10,
}
MAX_PIECES = 1_000_000


def count_total(counts: dict[str, int]) -> int:
    """The total of a count in kopiyky; unknown denominations or bad numbers are 422."""
    total = 0
    for key, pieces in counts.items():
        if key not in DENOMINATIONS:
            raise HubError(422, f"unknown denomination {key[:20]!r}")
        if isinstance(pieces, bool) or not isinstance(pieces, int) or not (
                0 <= pieces <= MAX_PIECES):
            raise HubError(422, f"the count of {key} must be a whole number 0..{MAX_PIECES}")
        total += DENOMINATIONS[key] * pieces
    return total


def counts_json(counts: dict[str, int]) -> str:
    return json.dumps({k: v for k, v in sorted(counts.items()) if v}, separators=(",", ":"))


def to_minor(amount: Decimal) -> int:
    try:
        minor = amount * 100
    except InvalidOperation:
        raise HubError(422, "not an amount") from None
    if minor != minor.to_integral_value():
        raise HubError(422, "the amount has more than 2 decimal places")
    return int(minor)


def money(minor: int) -> str:
    """Kopiyky as a decimal string: -1234 → "-12.34"."""
    sign = "-" if minor < 0 else ""
    whole, kop = divmod(abs(minor), 100)
    return f"{sign}{whole}.{kop:02d}"


# ``cash_tz``, set by the app's lifespan from its settings (``use_cash_zone``): one hub app
# per process (``cash_day`` is called where no settings reach)
_zone: ZoneInfo | None = None


def use_cash_zone(zone: ZoneInfo) -> None:
    """This process's cash day zone: the app's lifespan sets it from ``cash_tz``
    (``serve_checks.check_cash_zone``: a zone that does not load never starts a hub)."""
    global _zone
    _zone = zone


def cash_zone() -> ZoneInfo:
    """The cash day's zone: ``cash_tz`` of the running app; the default (Europe/Kyiv) before
    an app started. Never UTC in place of a zone that does not load."""
    return _zone if _zone is not None else ZoneInfo(CASH_TZ_DEFAULT)


def cash_day(ts: int | None = None) -> str:
    """The branch's calendar day (limits reset at local midnight)."""
    moment = datetime.fromtimestamp(ts, UTC) if ts is not None else datetime.now(UTC)
    return moment.astimezone(cash_zone()).date().isoformat()
