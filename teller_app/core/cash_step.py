"""Cash through the till goes in whole steps of its smallest coin (0.10 UAH: the NBU rounds
cash payments to 10 kopiyky since 2020 and the 1-5 kopiyka coins are withdrawn), so that a
count of the drawer can equal what the day's cash says. The hub enforces it (422
``cash_amount_step`` at ``/cash/authorize``, ``/cash/preview`` and the proxy's confirm); the
desk says it before a draft is made. One source: the till's denominations."""

from __future__ import annotations

from decimal import Decimal

from teller_app.core.till_models import DENOMINATIONS

CASH_AMOUNT_STEP = "cash_amount_step"  # the hub's refusal code, and ``AmountError.reason``
# the smallest denomination the till counts, in kopiyky (10), and as money (0.10)
CASH_STEP_MINOR = min(value for _key, value, _note in DENOMINATIONS)
CASH_STEP = Decimal(CASH_STEP_MINOR).scaleb(-2)


def on_step(amount: Decimal) -> bool:
    """``amount`` is a whole number of steps (any finite amount; 75.50 yes, 75.55 no)."""
    return amount.is_finite() and amount % CASH_STEP == 0


def steps_around(amount: Decimal) -> tuple[Decimal | None, Decimal]:
    """The amounts on the step just below and just above ``amount`` (positive, off the step):
    75.55 → (75.50, 75.60); below the first step, (None, 0.10)."""
    below = amount - amount % CASH_STEP
    return (below if below > 0 else None), below + CASH_STEP


def is_step_refusal(exc: BaseException) -> bool:
    """The hub (or this desk's ``AmountError``) refused an amount off the till's step."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "reason", "") == CASH_AMOUNT_STEP:
            return True
        cause = getattr(current, "cause", None)  # ``DraftNotChecked``'s, ``ConfirmNotDone``'s
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return False
