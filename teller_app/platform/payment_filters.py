"""The payments list's filters (§3.8) as one value: what ``PlatformClient.list_payments``
asks the server for, and what ``payment_matches`` checks each listed row against (a server
may not know a filter's name, or ignore an order). Each field is the caller's meaning: time
bounds inclusive, GUIDs and codes case-insensitive. How they are spelled and moved on the
wire (both spellings, strict bounds) is the client's business (``client_payments``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from ._http import QueryValue
from .client_base import StrList, TimeValue
from .models import Payment
from .models._base import _parse_timestamp


@dataclass(frozen=True)
class PaymentFilters:
    """None: no filter on that field (never "match nothing")."""

    guids: StrList = None
    sender_ids: StrList = None
    receiver_ids: StrList = None
    statuses: StrList = None
    asset_codes: StrList = None
    asset_issuers: StrList = None
    category_guid: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    created_at_min: TimeValue = None
    created_at_max: TimeValue = None
    updated_at_min: TimeValue = None
    updated_at_max: TimeValue = None
    sender_counterparty_guid: str | None = None
    receiver_counterparty_guid: str | None = None
    external_transaction_id: str | None = None

    def params(self) -> dict[str, QueryValue]:
        """Every field under the client's name of it, in this order (None: not sent)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def payment_matches(payment: Payment, filters: PaymentFilters) -> bool:
    """Whether a listed payment meets the ``filters`` the list was asked with: False when the
    row visibly contradicts one, as it does when the server ignored a name or an order.
    Bounds are inclusive; a row that does not say (no timestamp) is kept."""
    f = filters
    checks: list[tuple[StrList, str]] = [
        (f.guids, payment.guid), (f.sender_ids, payment.sender_id),
        (f.receiver_ids, payment.receiver_id), (f.asset_codes, payment.asset_code),
        (f.asset_issuers, payment.asset_issuer)]
    if any(not _among(value, wanted) for wanted, value in checks):
        return False
    if f.statuses is not None and payment.status_raw.upper() not in {
            s.upper() for s in f.statuses}:
        return False
    for wanted_one, value in ((f.category_guid, payment.category_guid),
                              (f.sender_counterparty_guid, payment.sender_counterparty),
                              (f.receiver_counterparty_guid, payment.receiver_counterparty)):
        if wanted_one is not None and not _among(value, [wanted_one]):
            return False
    if f.external_transaction_id is not None and str(
            (payment.model_extra or {}).get("external_transaction_id") or "") \
            != f.external_transaction_id:
        return False
    if (f.min_amount is not None and payment.amount < f.min_amount) or (
            f.max_amount is not None and payment.amount > f.max_amount):
        return False
    return _within(payment.created_at, f.created_at_min, f.created_at_max) and _within(
        payment.updated_at, f.updated_at_min, f.updated_at_max)


def _among(value: str, wanted: Sequence[str] | None) -> bool:
    """GUIDs and codes compare case-insensitively (a server may write GUIDs upper-case)."""
    return wanted is None or value.lower() in {w.lower() for w in wanted}


def _within(stamp: datetime | None, low: TimeValue, high: TimeValue) -> bool:
    if stamp is None:
        return True
    lo, hi = _parse_timestamp(low), _parse_timestamp(high)
    return (lo is None or stamp >= lo) and (hi is None or stamp <= hi)
