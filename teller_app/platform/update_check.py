"""Whether a customer on the platform holds what an update sent: how a PUT whose answer was
lost is settled by reading (``CustomersApi.update_customer``), field by field in the
platform's own forms (a cleared branch, a money string, a flag)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .models import Customer, CustomerUpdate


def update_applied(update: CustomerUpdate, customer: Customer) -> bool:
    """Whether ``customer`` holds every field ``update`` sends, as sent."""
    have = customer.model_dump()
    return all(_same(k, v, have.get(k)) for k, v in update.wire().items()
               if k != "wallet_user_guid")


def _same(name: str, want: Any, have: Any) -> bool:
    if name == "branch_guid":  # {"valid": false} = cleared
        want = want.get("value") if isinstance(want, dict) and want.get("valid") else None
        return (want or None) == (have or None)
    if name == "balance_allowed":
        try:
            return Decimal(str(want)) == Decimal(str(have))
        except ArithmeticError:
            return False
    if name == "is_disabled":
        return bool(want) == bool(have)
    return str(want) == str(have if have is not None else "")
