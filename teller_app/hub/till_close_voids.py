"""Drafts left behind when a till closes. A draft checked on the till and never confirmed
(the teller closed its dialog, the desk crashed, the customer walked away) would keep the
till from closing, and only a supervisor could clear it. DCM shows it CREATED: the close
voids it for the teller (recorded like the teller's own void, with events and audit), so a
confirm on DCM after the close is refused by the proxy and alerted by the cash watcher.

Not voided, and so still keeping the till open: a draft whose confirm the desk asked for
within the grace (``voids.confirm_grace_seconds``: it may still reach DCM) and one a
supervisor approved (the hub is confirming it or has).
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import HubEmployee
from .till_holding import outstanding
from .till_tables import cash_authorizations
from .voids import approved, close_requests_in, in_flight_for, lock_requests, write_void

CLOSE_REASON = "not confirmed when the till closed"


async def void_left_behind(conn: AsyncConnection, emp: HubEmployee, till_id: str,
                           created: Collection[str], read_at: int, desk_id: str) -> list[str]:
    """Void the till's outstanding drafts that DCM showed CREATED (``created``, read from
    ``read_at`` on) and that nothing may still confirm; the voided GUIDs. Runs inside the
    close's transaction, after the till's row is taken."""
    a = cash_authorizations.c
    rows = [r for r in await outstanding(conn, till_id) if str(r.payment_guid) in created]
    # every candidate's requests locked before any event or audit lock (``lock_requests``):
    # a supervisor's approve of one waits for this transaction, then finds the draft voided
    for row in rows:
        await lock_requests(conn, str(row.payment_guid))
    voided: list[str] = []
    for row in rows:
        guid = str(row.payment_guid)
        asked = (await conn.execute(sa.select(a.confirm_asked_at, a.branch_guid,
                                              a.customer_guid).where(
            a.payment_guid == guid))).one()
        if in_flight_for(asked.confirm_asked_at, read_at) or await approved(conn, guid):
            continue  # the desk's confirm may still land, or the hub confirms it
        if await write_void(conn, emp, payment_guid=guid, kind="void", owner=emp.email,
                            reason=CLOSE_REASON, branch_guid=asked.branch_guid,
                            customer_guid=asked.customer_guid,
                            amount_minor=int(row.amount_minor), desk_id=desk_id):
            voided.append(guid)  # (else a supervisor rejected it at the same moment)
            # its requests leave the supervisors' queue with the void, never after it
            await close_requests_in(conn, emp, guid, "the till closed", False, desk_id)
    return voided


async def only_voidable_left(conn: AsyncConnection, till_id: str, created: Collection[str],
                             read_at: int) -> bool:
    """Every draft outstanding on the till is one the close voids (DCM showed it CREATED and
    nothing may still confirm it): none of them can still change the till's expected cash.
    False while a confirm may still land (in flight, approved) or DCM showed it otherwise."""
    a = cash_authorizations.c
    for row in await outstanding(conn, till_id):
        guid = str(row.payment_guid)
        if guid not in created:
            return False
        asked_at = (await conn.execute(sa.select(a.confirm_asked_at).where(
            a.payment_guid == guid))).scalar_one()
        if in_flight_for(asked_at, read_at) or await approved(conn, guid):
            return False
    return True
