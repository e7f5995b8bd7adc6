"""A decimal amount in a request body, exact: a JSON number with a fraction is refused.

The body's JSON parser turns ``1234567890123456.78`` into the float ``1234567890123456.8``
before any model sees it, so an amount sent that way is refused (422), never taken rounded;
a decimal string is exact, and so is a whole JSON number (an int). The desk sends strings.
The till and cash routes' bodies document it as a string (``till_bodies.StrictMoney``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator


def no_float(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError('an amount is a decimal string such as "100.00", not a JSON number '
                         "with a fraction (it would arrive rounded)")
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(no_float)]
