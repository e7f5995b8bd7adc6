"""A payment the hub authorized on a till counts in that till by its authorization.

``/cash/authorize`` recorded the draft as cash on the teller's till (``cash_authorizations``:
its kind, amount, customer, till session). Once DCM shows that payment CONFIRMED, the till
counts it by that record, checked against what DCM confirmed (the payment's GUID and
amount), never by classifying the payment again as DCM shows its customer now: a customer
moved to another branch, or an account changed, after the confirm does not take the cash
out of the drawer. A confirmed payment whose amount differs from its authorization (or in
another asset than the tills' currency now: a break-glass policy change) is never counted
and never skipped: the close is refused naming it (``confirmed_mismatch``)
for a supervisor to look at. A payment the hub never authorized is no till's: the cash
watcher alerts it. Used by ``till_reconcile`` and ``routes_tills``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from teller_app.platform import PlatformClient, PlatformError
from teller_app.platform.models import Payment

from . import tills
from .canon import normalise
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .till_money import money
from .till_tables import cash_authorizations, cash_voids

MISMATCH = "confirmed_mismatch"


@dataclass(frozen=True)
class Mismatch:
    """A CONFIRMED payment that is not what the hub authorized on the till."""

    payment_guid: str
    kind: str
    authorized_minor: int
    confirmed: str  # DCM's amount (or GUID) as read

    def text(self) -> str:
        return (f"{self.kind} {money(self.authorized_minor)} {self.payment_guid}: DCM "
                f"confirmed {self.confirmed}")


async def authorization(conn: AsyncConnection, payment_guid: str) -> Any:
    """The hub's authorization of ``payment_guid`` (None: the hub never authorized it)."""
    return (await conn.execute(sa.select(cash_authorizations).where(
        cash_authorizations.c.payment_guid == payment_guid))).first()


async def is_voided(conn: AsyncConnection, payment_guid: str) -> bool:
    return (await conn.execute(sa.select(cash_voids.c.payment_guid).where(
        cash_voids.c.payment_guid == payment_guid))).first() is not None


def mismatch(auth: Any, payment: Payment, currency: str) -> Mismatch | None:
    """None when DCM's payment is the one authorized: its GUID, its amount in kopiyky, in
    the tills' ``currency`` (the policy's ``cash_currency``; the authorization was made in
    it, so a payment in another asset is never counted as its amount of this one)."""
    def wrong(confirmed: str) -> Mismatch:
        return Mismatch(str(auth.payment_guid), str(auth.kind), int(auth.amount_minor),
                        confirmed)

    if payment.guid.strip().lower() != str(auth.payment_guid).strip().lower():
        return wrong(f"another payment ({payment.guid[:64]})")
    asset = payment.asset_code.strip()[:16]
    if normalise(asset) != normalise(currency):
        return wrong(f"{payment.amount} {asset}, not {currency[:16]}".strip())
    if Decimal(payment.amount) * 100 != Decimal(int(auth.amount_minor)):
        return wrong(f"{payment.amount} {asset}".strip())
    return None


async def category_of(client: PlatformClient, payment: Payment) -> str:
    """The payment's category code for the till's report (503 when DCM cannot be read)."""
    from .cash_limits import category_code

    try:
        return await category_code(client, payment)
    except PlatformError as exc:
        raise dcm_unreadable(f"DCM cannot be read: {exc.message}") from None


async def count_authorized(conn: AsyncConnection, till: Any, auth: Any,
                           category: str) -> bool:
    """Count the authorized payment (already checked against DCM: ``mismatch``) in ``till``
    by its authorization; False when it was already counted there."""
    return await tills.record_operation(
        conn, till, payment_guid=str(auth.payment_guid), kind=str(auth.kind),
        category=category, amount_minor=int(auth.amount_minor),
        customer_guid=str(auth.customer_guid))


def refuse_mismatched(found: Iterable[Mismatch]) -> None:
    """409 ``confirmed_mismatch`` naming each confirmed payment no till may count as it was
    authorized: the till never closes without the cash DCM moved through it."""
    items = sorted(found, key=lambda m: m.payment_guid)
    if items:
        listed = "; ".join(m.text() for m in items[:20])
        raise HubError(409, f"{len(items)} payment(s) authorized on this till were confirmed "
                       "on DCM as something else than the hub authorized: the till cannot "
                       f"count them, a supervisor must look at them ({listed})", MISMATCH)
