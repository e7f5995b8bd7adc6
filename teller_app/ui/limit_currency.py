"""In which currency a request words a customer's allowed balance (limit), per side: at
filing the one its ``before`` kept (the hub keeps the balance's asset with a limit asked
alone), wanted the one the change asks, else the one at filing. The inbox, the drift
warning and the audit trail read a limit alike."""

from __future__ import annotations

from collections.abc import Mapping

ASSET_FIELD = "balance_asset_code"  # named with the balance it goes with, not on its own
LIMIT_FIELD = "balance_allowed"


def _code(values: Mapping[str, object] | None) -> str | None:
    code = (values or {}).get(ASSET_FIELD)
    return str(code) if code else None


def limit_currencies(change: Mapping[str, object], before: Mapping[str, object] | None,
                     unknown: str | None = None) -> tuple[str | None, str | None]:
    """(at filing, wanted): a limit set in UAH and asked in USD reads so. ``unknown`` where
    nothing says (None: the amount alone, as the card shows a limit without a currency;
    never a hryvnia the customer may not have)."""
    was_in = _code(before) or unknown
    return was_in, _code(change) or was_in
