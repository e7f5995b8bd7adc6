"""A till counts what DCM shows CONFIRMED, whether or not the desk reported it (before the
till is shown or closed: ``routes_tills``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from teller_app.platform.models import PaymentStatus

from . import policy, tills
from .authn import hub_state
from .cash_failed import record_failed
from .cash_limits import read_draft
from .fe_runtime import runtime
from .models import HubEmployee
from .till_holding import outstanding

log = logging.getLogger("teller_hub.tills")


async def till_currency(request: Request) -> str:
    """The tills' currency (the policy's ``cash_currency``): cash in another is no till's."""
    return await policy.cash_currency(hub_state(request).engine)


@dataclass(frozen=True)
class Reconciled:
    counted: int  # payments counted now
    failed: frozenset[str]  # drafts DCM shows FAILED: nothing confirms them any more
    created: frozenset[str] = frozenset()  # drafts DCM shows CREATED still
    # CONFIRMED, but no cash a till may take as DCM reads it now (its accounts changed, an
    # account unreadable): never counted, so it must not keep the till open; the cash
    # watcher alerts it
    uncountable: frozenset[str] = frozenset()


async def reconcile(request: Request, emp: HubEmployee) -> Reconciled:
    """Count what this teller authorized, DCM now shows CONFIRMED and the till has not
    counted yet (a desk that crashed before reporting, a supervisor's approval executed by
    the hub). The expected cash never depends on the desk having reported."""
    engine = hub_state(request).engine
    async with engine.connect() as conn:
        row = await tills.live_till(conn, emp, None, renew=False)
        pending = [str(r.payment_guid) for r in await outstanding(conn, row.id)]
    if not pending:
        return Reconciled(0, frozenset())
    client = await runtime(request).reader.client()
    currency = await till_currency(request)
    counted, failed, created, uncountable = 0, set(), set(), set()
    for guid in pending:
        draft = await read_draft(client, guid, currency=currency)
        if draft.status is PaymentStatus.FAILED:
            failed.add(guid)
        if draft.status is PaymentStatus.CREATED:
            created.add(guid)
        if draft.status is PaymentStatus.CONFIRMED and not draft.kind:
            uncountable.add(guid)
            log.warning("a confirmed draft authorized on a till is no till cash now: %s", guid)
        if draft.status is not PaymentStatus.CONFIRMED or not draft.kind:
            continue
        async with engine.begin() as conn:
            counted += await tills.record_operation(
                conn, row, payment_guid=guid, kind=draft.kind, category=draft.category,
                amount_minor=draft.amount_minor, customer_guid=draft.customer_guid)
    if failed:  # a desk's own confirm DCM failed: no longer held back from what it can pay
        async with engine.begin() as conn:
            await record_failed(conn, failed)
    return Reconciled(counted, frozenset(failed), frozenset(created), frozenset(uncountable))
