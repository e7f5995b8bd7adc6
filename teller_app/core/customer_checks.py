"""What the customer form checks against other people's data: who already holds a phone
number, whether a login is taken in any letter case, and which fields someone changed on the
platform since the form was opened (``StaleFields``).

The desk only shows the first two; the control is the hub's (``hub/phone_holders``: a new
customer's secret is refused, ``PhoneTaken`` here) and DCM's (a duplicate login). No Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from teller_app.core.cache_worker import CacheWorker
from teller_app.core.views import (
    CustomerLike,
    CustomerView,
    customer_from_platform,
    customer_from_row,
    customer_view,
)
from teller_app.platform import Customer, CustomerUpdate, PlatformClient, PlatformError
from teller_app.platform.customer_lookups import customers_by_phone, login_twins
from teller_app.platform.phones import digits, e164, same_phone

log = logging.getLogger(__name__)
HOLDERS_SHOWN = 5  # a phone held by more than a few: the first are enough to say so
PHONE_TAKEN = "phone_taken"  # the hub's code: the bank's one-customer-per-phone rule


class PhoneTaken(Exception):
    """The hub refused the phone number (a new customer's secret, a change filed for
    approval or asked of the policy before a Save, or a direct change through its proxy):
    another customer holds it (the bank's rule). ``holders``: those this employee can see
    (may be empty: a customer of another branch, or a create on its way at another desk).
    Nothing was written or filed."""

    def __init__(self, holders: list[CustomerView]) -> None:
        super().__init__("a customer with this phone number already exists")
        self.holders = holders


class StaleFields(Exception):
    """Fields the form changes that someone changed on the platform since it was opened:
    writing them would silently overwrite the newer values. ``current``: field -> the value
    there now. Nothing was sent."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__("the customer changed since the form was opened: "
                         + ", ".join(sorted(current)))
        self.current = current


def comparable_values(view: CustomerView) -> dict[str, Any]:
    """``view``'s values of the fields a ``CustomerUpdate`` changes, by wire name: those a
    save compares with the platform (``wallet_user_guid`` names the customer, never
    changes; tests/core/test_customer_comparable_fields.py keeps the two lists one)."""
    return {
        "balance_allowed": view.balance_allowed,
        "balance_asset_code": view.balance_asset_code,
        "balance_asset_issuer": view.balance_asset_issuer,
        "branch_guid": view.branch_guid,
        "is_disabled": view.is_disabled,
        "kyc_level": view.kyc_level,
        "name": view.name,
        "paternal_name": view.paternal_name,
        "phone_number": view.phone_number,
        "segment": view.segment,
        "status": view.status,
        "surname": view.surname,
    }


def original_values(current: CustomerLike | None, status_was: str | None) -> dict[str, Any]:
    """The values the form started from (what the teller saw), by wire name."""
    out = comparable_values(customer_view(current)) if current is not None else {}
    if status_was is not None:
        out["status"] = status_was
    return out


def stale_fields(update: CustomerUpdate, original: Mapping[str, Any],
                 fresh: Customer) -> dict[str, Any]:
    """For each field ``update`` sets and ``original`` knows: its value on the platform now
    when that is neither the form's starting value (someone changed it meanwhile) nor the
    value wanted (an earlier save of this form landed, its answer lost)."""
    now = comparable_values(customer_from_platform(fresh))
    wanted = dict(update)  # the raw values, as set
    out: dict[str, Any] = {}
    for name in sorted(update.model_fields_set & original.keys() & now.keys()):
        have = now[name]
        if not _same(name, original[name], have) and not _same(name, wanted[name], have):
            out[name] = have
    return out


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "balance_allowed":
        try:
            return Decimal(str(a or 0)) == Decimal(str(b or 0))
        except (InvalidOperation, ValueError):
            return False
    if name == "is_disabled":
        return bool(a) == bool(b)
    if name == "kyc_level":
        return int(a or 0) == int(b or 0)
    return str(a or "") == str(b or "")


async def phone_holders(client: PlatformClient, cache: CacheWorker | None, phone: str,
                        exclude_guid: str | None = None) -> list[CustomerView]:
    """Customers holding ``phone``'s number that this employee can see, the customer being
    edited (``exclude_guid``) left out: the cache first (it indexes every form of a stored
    number), then the platform's ``phone_numbers`` filter. [] for an invalid number."""
    number = e164(phone)
    if number is None:
        return []
    found: list[CustomerView] = []
    if cache is not None and cache.is_open:
        try:
            rows = await cache.search(digits(number), limit=50)
        except Exception as exc:  # a cache problem: the platform answers instead
            log.info("phone holders: cache not read (%s)", type(exc).__name__)
            rows = []
        found = [customer_from_row(r) for r in rows if same_phone(r.phone_number, number)]
        found = [c for c in found if c.guid != exclude_guid]
    if not found:
        customers = await customers_by_phone(client, number)
        found = [customer_from_platform(c) for c in customers
                 if c.wallet_user_guid != exclude_guid]
    return found[:HOLDERS_SHOWN]


async def holders_quietly(client: PlatformClient, cache: CacheWorker | None,
                          phone: str | None, exclude_guid: str | None = None
                          ) -> list[CustomerView]:
    """Whom a refused phone number belongs to, for the employee told (``phone_holders``;
    best effort: the hub's refusal stands without names)."""
    try:
        return await phone_holders(client, cache, phone or "", exclude_guid)
    except PlatformError as exc:
        log.info("phone holders not read: %s", type(exc).__name__)
        return []


async def login_taken(client: PlatformClient, login: str) -> bool:
    """Whether a customer this employee can see has ``login`` in any letter case."""
    return bool(await login_twins(client, login))
