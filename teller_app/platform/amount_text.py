"""An amount written plainly, within bounds: the hub writes DCM's amounts this way in its
answers and the desk reads them back by the same rule (neither trusts a platform's number to
be of a sane size: "1E+5000000" written plainly is five million characters)."""

from __future__ import annotations

from decimal import Decimal

AMOUNT_DIGITS = 20  # at most this many digits either side of the point


def plain_amount(amount: Decimal) -> str | None:
    """``amount`` without an exponent ("4E+1" is "40"), or None when it is not finite or has
    more than ``AMOUNT_DIGITS`` digits either side of the point."""
    if not amount.is_finite():
        return None
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite
    if len(digits) + exponent > AMOUNT_DIGITS or -exponent > AMOUNT_DIGITS:
        return None
    return f"{amount:f}"
