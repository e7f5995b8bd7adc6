"""Hryvnia cash by denomination, in integer kopiyky, and the cash day (zone: ``cash_tz``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from starlette.datastructures import State

from .errors import HubError

# key → value in kopiyky. Notes and coins of the same face value are counted apart.
DENOMINATIONS: dict[str, int] = {
    "note_1000": 100000, "note_500": 50000, "note_200": 20000, "note_100": 10000,
    "note_50": 5000, "note_20": 2000, "note_10": 1000, "note_5": 500, "note_2": 200,
    "note_1": 100, "coin_10": 1000, "coin_5": 500, "coin_2": 200, "coin_1": 100,
    "coin_0.50": 50, "coin_0.10": 10,
}
MAX_PIECES = 1_000_000
# Cash through a till goes in whole steps of its smallest coin (10 kopiyky: the NBU rounds
# cash payments to it since 2020, the 1-5 kopiyka coins are withdrawn): any other amount is
# one no count of the drawer can equal. One source: the denominations.
CASH_STEP_MINOR = min(DENOMINATIONS.values())
CASH_AMOUNT_STEP = "cash_amount_step"  # the refusal's code (a desk words it)


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


def check_cash_step(amount_minor: int) -> None:
    """Cash the till pays or takes (a deposit, a withdrawal, a transfer with the vault) is a
    whole multiple of ``CASH_STEP_MINOR``; else 422 ``cash_amount_step``, naming the two
    amounts around it (``step``, ``below``, ``above`` in the body)."""
    if amount_minor % CASH_STEP_MINOR == 0:
        return
    below = amount_minor - amount_minor % CASH_STEP_MINOR
    above = below + CASH_STEP_MINOR
    near = f"{money(below)} or {money(above)}" if below > 0 else money(above)
    raise HubError(422, f"cash amounts go in steps of {money(CASH_STEP_MINOR)} UAH (the "
                   f"till's smallest coin): {near}", CASH_AMOUNT_STEP,
                   {"step": money(CASH_STEP_MINOR), "below": money(below),
                    "above": money(above)})


def money(minor: int) -> str:
    """Kopiyky as a decimal string: -1234 → "-12.34"."""
    sign = "-" if minor < 0 else ""
    whole, kop = divmod(abs(minor), 100)
    return f"{sign}{whole}.{kop:02d}"


def app_cash_zone(app_state: State) -> ZoneInfo:
    """The cash day's zone of this app: its settings' ``cash_tz``, loaded by its lifespan
    (``serve_checks.check_cash_zone``: a zone that does not load never starts a hub). Each
    app its own: no process-wide zone, so two apps in one process keep theirs."""
    zone = getattr(app_state, "cash_zone", None)
    if not isinstance(zone, ZoneInfo):  # only before the lifespan ran
        raise HubError(503, "the hub is starting: try again")
    return zone


def cash_day(zone: ZoneInfo, ts: int | None = None) -> str:
    """The branch's calendar day in ``zone`` (limits reset at local midnight)."""
    moment = datetime.fromtimestamp(ts, UTC) if ts is not None else datetime.now(UTC)
    return moment.astimezone(zone).date().isoformat()
