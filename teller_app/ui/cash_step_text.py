"""What the cash dialog says of an amount off the till's step (``core.cash_step``: cash goes
in whole steps of the smallest coin, 0.10): before the draft is made, with the two amounts
around the one typed, and the hub's refusal (``cash_amount_step``) in the teller's words when
it comes anyway. Strings in the ``CashDialog`` translation context."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication

from teller_app.core.cash_step import CASH_STEP, is_step_refusal, on_step, steps_around
from teller_app.ui.cash_text import cash_error_text
from teller_app.ui.money import format_money, format_number


def step_problem(value: Decimal, minor_unit: int, code: str) -> str:
    """The line under the amount when ``value`` is off the step ("" when it is on it):
    "Cash is paid in steps of 0.10 UAH: enter 75.50 or 75.60."."""
    if on_step(value):
        return ""
    step = format_money(CASH_STEP, minor_unit, code)
    below, above = steps_around(value)
    if below is None:
        return QCoreApplication.translate(
            "CashDialog", "Cash is paid in steps of %1: enter %2.").replace(
            "%1", step).replace("%2", format_number(above, minor_unit))
    return QCoreApplication.translate(
        "CashDialog", "Cash is paid in steps of %1: enter %2 or %3.").replace(
        "%1", step).replace("%2", format_number(below, minor_unit)).replace(
        "%3", format_number(above, minor_unit))


def step_refusal_text(exc: BaseException, amount: Decimal | None, minor_unit: int,
                      code: str, *, drafted: bool = False) -> str | None:
    """The hub's (or this desk's) ``cash_amount_step`` refusal worded, None for any other
    error. ``amount``: the one refused, when known and no draft of it exists yet
    (``drafted`` False): the amounts to enter instead are named."""
    if not is_step_refusal(exc):
        return None
    if amount is not None and not drafted and (text := step_problem(amount, minor_unit, code)):
        return text
    return QCoreApplication.translate(
        "CashDialog", "Cash is paid in steps of %1: the Teller Hub refuses an amount no "
        "till can count.").replace("%1", format_money(CASH_STEP, minor_unit, code))


def cash_dialog_error(exc: BaseException, amount: Decimal | None, minor_unit: int, code: str,
                      *, drafted: bool = False) -> str:
    """``cash_text.cash_error_text``, with a refusal of the till's step worded here."""
    return (step_refusal_text(exc, amount, minor_unit, code, drafted=drafted)
            or cash_error_text(exc, minor_unit, code))
