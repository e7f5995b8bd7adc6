"""A payment the hub authorized on a till counts in that till by its authorization.

``/cash/authorize`` recorded the draft as cash on the teller's till (``cash_authorizations``:
its kind, amount, customer, till session). Once DCM shows that payment CONFIRMED, the till
counts it by that record, checked against what DCM confirmed (the payment's GUID and
amount), never by classifying the payment again as DCM shows its customer now: a customer
moved to another branch, or an account changed, after the confirm does not take the cash
out of the drawer. A confirmed payment whose amount differs from its authorization (or in
another asset than the tills' currency now: a break-glass policy change) is never counted
and never skipped: a close without a reason is refused naming it (``confirmed_mismatch``);
with one, the till waits for a supervisor's co-sign (``close_cosign``) naming it
(``set_aside``), and the co-sign closes the till without it, an audit row per payment set
aside naming what was authorized and what DCM confirmed (the cash watcher's alert stays the
record of the cash itself). A payment the hub never authorized is no till's: the cash
watcher alerts it. Each ``set_aside`` entry says what DCM confirmed in words and field by
field (``SET_ASIDE_FIELDS``); the branch position says it as the close recorded it
(``set_aside_recorded``). Used by ``till_reconcile``, ``till_close``, ``till_position`` and
``routes_tills``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from teller_app.platform import PlatformClient, PlatformError
from teller_app.platform.amount_text import plain_amount
from teller_app.platform.models import Payment

from . import audit, tills
from .canon import normalise
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .models import HubEmployee
from .till_holding import outstanding
from .till_money import money
from .till_tables import cash_authorizations, cash_voids

MISMATCH = "confirmed_mismatch"


@dataclass(frozen=True)
class Mismatch:
    """A CONFIRMED payment that is not what the hub authorized on the till."""

    payment_guid: str
    kind: str
    authorized_minor: int
    confirmed: str  # DCM's amount (or GUID) as read, in words (desks before these fields)
    # the same for the co-sign's audit row, field by field: DCM's amount, and its asset,
    # kind (by its category code) and GUID where they are not the authorization's
    confirmed_fields: tuple[tuple[str, str], ...] = ()
    # the same for a ``set_aside`` entry (``SET_ASIDE_FIELDS``), so no desk parses words:
    # DCM's amount and asset as read, the tills' currency that asset is not, the other GUID
    said_fields: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        return (f"{self.kind} {money(self.authorized_minor)} {self.payment_guid}: DCM "
                f"confirmed {self.confirmed}")

    def out(self) -> dict[str, str]:
        """As a close's ``set_aside`` names it."""
        return {"payment_guid": self.payment_guid, "kind": self.kind,
                "authorized": money(self.authorized_minor), **self.said()}

    def said(self) -> dict[str, str]:
        """What DCM confirmed, as a ``set_aside`` entry says it: words and fields."""
        return {"confirmed": self.confirmed, **dict(self.said_fields)}


# What a ``set_aside`` entry says of what DCM confirmed (each when known): the words, DCM's
# amount (a decimal string) and asset, the tills' currency that asset is not (only then),
# and the GUID of the other payment DCM showed (only then).
SET_ASIDE_FIELDS = ("confirmed", "confirmed_amount", "confirmed_asset", "tills_currency",
                    "confirmed_payment_guid")


async def authorization(conn: AsyncConnection, payment_guid: str) -> Any:
    """The hub's authorization of ``payment_guid`` (None: the hub never authorized it)."""
    return (await conn.execute(sa.select(cash_authorizations).where(
        cash_authorizations.c.payment_guid == payment_guid))).first()


async def is_voided(conn: AsyncConnection, payment_guid: str) -> bool:
    return (await conn.execute(sa.select(cash_voids.c.payment_guid).where(
        cash_voids.c.payment_guid == payment_guid))).first() is not None


def mismatch(auth: Any, payment: Payment, currency: str,
             category: str = "") -> Mismatch | None:
    """None when DCM's payment is the one authorized: its GUID, its amount in kopiyky, in
    the tills' ``currency`` (the policy's ``cash_currency``; the authorization was made in
    it, so a payment in another asset is never counted as its amount of this one).
    ``category``: the payment's category code, when read (its kind as the hub knows it)."""
    asset = payment.asset_code.strip()[:16]
    other_guid = payment.guid.strip().lower() != str(auth.payment_guid).strip().lower()

    def wrong(confirmed: str) -> Mismatch:
        from .cash_limits import CASH_KINDS

        fields = {"confirmed_amount": str(payment.amount)}
        plain = plain_amount(Decimal(payment.amount))
        said = {} if plain is None else {"confirmed_amount": plain}
        if asset:
            said["confirmed_asset"] = asset
        if normalise(asset) != normalise(currency):
            fields["confirmed_asset"] = asset
            said["tills_currency"] = currency[:16]
        kind = CASH_KINDS.get(category.strip(), "")
        if kind and kind != str(auth.kind):
            fields["confirmed_kind"] = kind
        if other_guid:
            fields["confirmed_payment_guid"] = said["confirmed_payment_guid"] = \
                payment.guid[:64]
        return Mismatch(str(auth.payment_guid), str(auth.kind), int(auth.amount_minor),
                        confirmed, tuple(fields.items()), tuple(said.items()))

    if other_guid:
        return wrong(f"another payment ({payment.guid[:64]})")
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
    authorized: the till never closes without the cash DCM moved through it, but by a
    close with a reason and a supervisor's co-sign (``set_aside_for_close``)."""
    items = sorted(found, key=lambda m: m.payment_guid)
    if items:
        listed = "; ".join(m.text() for m in items[:20])
        raise HubError(409, f"{len(items)} payment(s) authorized on this till were confirmed "
                       "on DCM as something else than the hub authorized: the till cannot "
                       "count them: give a reason and a supervisor co-signs the close "
                       f"without them ({listed})", MISMATCH)


def set_aside_for_close(found: Iterable[Mismatch], reason: str) -> tuple[Mismatch, ...]:
    """The mismatched payments a close sets aside (oldest GUID first): with ``reason``, the
    close waits for a supervisor's co-sign (``till_close.close_till``); without one, 409
    ``confirmed_mismatch`` naming them (``refuse_mismatched``)."""
    items = tuple(sorted(found, key=lambda m: m.payment_guid))
    if items and not reason.strip():
        refuse_mismatched(items)
    return items


async def authorizations(conn: AsyncConnection, guids: Iterable[str]) -> dict[str, Any]:
    """The hub's authorizations of ``guids`` by GUID, in one read (IN list, by key)."""
    wanted = list(dict.fromkeys(guids))
    if not wanted:
        return {}
    rows = (await conn.execute(sa.select(cash_authorizations).where(
        cash_authorizations.c.payment_guid.in_(wanted)))).all()
    return {str(r.payment_guid): r for r in rows}


async def set_aside_on_close(conn: AsyncConnection, emp: HubEmployee, row: Any,
                             confirmed: Mapping[str, Mismatch]) -> list[dict[str, str]]:
    """At a close's co-sign (``row``: the till waiting in ``close_cosign``): the drafts
    authorized on it and still unsettled, which are the confirmed payments its close set
    aside (nothing else lets a till wait in ``close_cosign``: ``_drafts_settled``; no draft
    is authorized on a till not open), each with an audit row naming it, its customer, what
    DCM confirmed (``confirmed``: read before the co-sign's transaction,
    ``till_reconcile.set_aside_read``) and the close's reason. The till closes without
    them. The customers are read in one query (``outstanding`` reads by its index only)."""
    drafts = await outstanding(conn, row.id)
    found = await authorizations(conn, (str(r.payment_guid) for r in drafts))
    out: list[dict[str, str]] = []
    for r in drafts:
        guid = str(r.payment_guid)
        item = {"payment_guid": guid, "kind": str(r.kind),
                "authorized": money(int(r.amount_minor))}
        read = confirmed.get(guid)
        if read is not None:
            item["confirmed"] = read.confirmed
        await audit.append(conn, audit.Entry(
            actor=emp.email, action="till", entity=f"payment:{guid}",
            branch_guid=row.branch_guid, detail={
                "event": "till_set_aside", "till_id": row.id, "teller": row.teller,
                "customer_guid": str(found[guid].customer_guid), **item,
                **dict(read.confirmed_fields if read is not None else ()),
                "reason": row.close_reason or "", "code": MISMATCH}))
        out.append({**item, **(read.said() if read is not None else {})})
    return out


async def set_aside_recorded(conn: AsyncConnection, row: Any) -> list[dict[str, str]]:
    """A till waiting in ``close_cosign`` (``row``): the payments its co-sign will close it
    without (its drafts still unsettled: ``set_aside_on_close``), each with what DCM
    confirmed as its close read it (``tills.close_set_aside``, revision 0016: the hub's own
    record, written with the close's figures; never read on DCM again, the branch position
    is polled). A payment it does not name (a close by an older hub) is said as far as the
    hub's authorization says it."""
    drafts = await outstanding(conn, row.id)
    if not drafts:
        return []
    try:
        listed = json.loads(row.close_set_aside) if row.close_set_aside else []
    except ValueError:
        listed = []
    recorded = {str(e.get("payment_guid")): e for e in listed
                if isinstance(e, dict)} if isinstance(listed, list) else {}
    out: list[dict[str, str]] = []
    for r in drafts:
        guid = str(r.payment_guid)
        said = recorded.get(guid, {})
        out.append({"payment_guid": guid, "kind": str(r.kind),
                    "authorized": money(int(r.amount_minor)),
                    **{k: said[k] for k in SET_ASIDE_FIELDS if isinstance(said.get(k), str)}})
    return out
