"""A till counts what DCM shows CONFIRMED, whether or not the desk reported it (before the
till is shown or closed: ``routes_tills``), by the hub's own authorization of it
(``till_authorized``); and what DCM confirmed of the payments a close set aside is read
before its co-sign (``set_aside_read``), for the co-sign's audit rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from teller_app.platform.models import PaymentStatus

from . import policy, tills
from .authn import hub_state
from .cash_failed import record_failed
from .cash_limits import read_payment
from .errors import HubError
from .fe_runtime import runtime
from .models import HubEmployee
from .till_authorized import (
    Mismatch,
    authorization,
    authorizations,
    category_of,
    count_authorized,
    mismatch,
)
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
    # never skipped: a close without a reason is refused naming them; with one, it sets them
    # aside and waits for a supervisor's co-sign (``till_authorized.set_aside_for_close``)
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
            wrong = mismatch(auth, payment, currency, category)
            if wrong is not None:
                mismatched.append(wrong)
                log.warning("a confirmed draft is not as the hub authorized it - %s", wrong.text())
                continue
            counted += await count_authorized(conn, row, auth, category)
    if failed:  # a desk's own confirm DCM failed: no longer held back from what it can pay
        async with engine.begin() as conn:
            await record_failed(conn, failed)
    return Reconciled(counted, frozenset(failed), frozenset(created), tuple(mismatched))


async def set_aside_read(request: Request, emp: HubEmployee, till_id: str) -> dict[str, Mismatch]:
    """Before a close's co-sign, outside its transaction (a DCM read never holds the till's
    row): what DCM confirmed of each payment the close set aside (the drafts still unsettled
    on a till waiting in ``close_cosign``: ``till_authorized.set_aside_on_close``), by GUID,
    so the co-sign's audit rows alone explain each. Nothing is read for a till not waiting
    so, or with nothing set aside (its co-sign never needs DCM); 404 / 403 first as the
    co-sign answers them (``tills.till_to_cosign``); 503 ``dcm_unreadable`` while DCM cannot
    be read (the co-sign is tried again: its rows would not say what DCM confirmed)."""
    engine = hub_state(request).engine
    async with engine.connect() as conn:
        row = await tills.till_to_cosign(conn, emp, till_id)
        if row.state != "close_cosign":
            return {}
        drafts = await outstanding(conn, till_id)
        found = await authorizations(conn, (str(r.payment_guid) for r in drafts))
    if not found:
        return {}
    client = await runtime(request).reader.client()
    currency = await till_currency(request)
    out: dict[str, Mismatch] = {}
    for guid, auth in found.items():
        try:
            payment = await read_payment(client, guid)
        except HubError as exc:
            if exc.status != 404:
                raise
            # gone from DCM since the close read it: said so, never a co-sign stuck on it
            out[guid] = Mismatch(guid, str(auth.kind), int(auth.amount_minor),
                                 "no such payment on DCM now")
            continue
        wrong = mismatch(auth, payment, currency, await category_of(client, payment))
        if wrong is not None:
            out[guid] = wrong
    return out
