"""A till counts what DCM shows CONFIRMED, whether or not the desk reported it (before the
till is shown or closed: ``routes_tills``), by the hub's own authorization of it
(``till_authorized``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from teller_app.platform.models import PaymentStatus

from . import policy, tills
from .authn import hub_state
from .cash_failed import record_failed
from .cash_limits import read_payment
from .fe_runtime import runtime
from .models import HubEmployee
from .till_authorized import Mismatch, authorization, category_of, count_authorized, mismatch
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
    # CONFIRMED, but not as the hub authorized them (another amount or asset): never counted,
    # never skipped: the close is refused naming them (``till_authorized.refuse_mismatched``)
    mismatched: tuple[Mismatch, ...] = ()


async def reconcile(request: Request, emp: HubEmployee) -> Reconciled:
    """Count what this teller authorized on the till, DCM now shows CONFIRMED and the till has
    not counted yet (a desk that crashed before reporting, a supervisor's approval executed by
    the hub), by the hub's authorization (``till_authorized``): what DCM shows of its customer
    now (another branch, an account changed) never takes it out of the till. The expected
    cash never depends on the desk having reported."""
    engine = hub_state(request).engine
    async with engine.connect() as conn:
        row = await tills.live_till(conn, emp, None, renew=False)
        pending = [str(r.payment_guid) for r in await outstanding(conn, row.id)]
    if not pending:
        return Reconciled(0, frozenset())
    client = await runtime(request).reader.client()
    currency = await till_currency(request)
    counted, failed, created, mismatched = 0, set(), set(), []
    for guid in pending:
        payment = await read_payment(client, guid)
        if payment.status is PaymentStatus.FAILED:
            failed.add(guid)
        if payment.status is PaymentStatus.CREATED:
            created.add(guid)
        if payment.status is not PaymentStatus.CONFIRMED:
            continue
        category = await category_of(client, payment)
        async with engine.begin() as conn:
            auth = await authorization(conn, guid)
            if auth is None or auth.till_id != row.id:  # re-authorized elsewhere meanwhile
                continue
            wrong = mismatch(auth, payment, currency)
            if wrong is not None:
                mismatched.append(wrong)
                log.warning("a confirmed draft is not as the hub authorized it - %s", wrong.text())
                continue
            counted += await count_authorized(conn, row, auth, category)
    if failed:  # a desk's own confirm DCM failed: no longer held back from what it can pay
        async with engine.begin() as conn:
            await record_failed(conn, failed)
    return Reconciled(counted, frozenset(failed), frozenset(created), tuple(mismatched))
