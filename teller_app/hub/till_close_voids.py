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

from . import audit, commands, events
from .cash_commands import cash_confirm_requests
from .db import dialect_insert, now
from .fe_tables import commands as commands_table
from .models import HubEmployee
from .till_holding import outstanding
from .till_money import money
from .till_tables import cash_authorizations, cash_voids
from .voids import confirm_grace_seconds

CLOSE_REASON = "not confirmed when the till closed"


async def void_left_behind(conn: AsyncConnection, emp: HubEmployee, till_id: str,
                           created: Collection[str], read_at: int, desk_id: str) -> list[str]:
    """Void the till's outstanding drafts that DCM showed CREATED (``created``, read from
    ``read_at`` on) and that nothing may still confirm; the voided GUIDs. Runs inside the
    close's transaction, after the till's row is taken."""
    a, c = cash_authorizations.c, commands_table.c
    grace = confirm_grace_seconds()
    rows = [r for r in await outstanding(conn, till_id) if str(r.payment_guid) in created]
    # The candidates' cash_confirm requests are locked first, all of them before any event
    # or audit lock (an approval takes its request, then those): a supervisor's approve of
    # one waits for this transaction and then finds the draft voided, so the hub never
    # confirms a draft this close voids (as a teller's own void, ``voids.record``).
    for row in rows:
        mine = cash_confirm_requests(str(row.payment_guid))
        await conn.execute(commands_table.update().where(mine).values(state=c.state))
    voided: list[str] = []
    for row in rows:
        guid = str(row.payment_guid)
        asked = (await conn.execute(sa.select(a.confirm_asked_at, a.branch_guid,
                                              a.customer_guid).where(
            a.payment_guid == guid))).one()
        if asked.confirm_asked_at is not None and asked.confirm_asked_at + grace > read_at:
            continue  # the desk's confirm may still land
        states = set((await conn.execute(sa.select(c.state).where(
            cash_confirm_requests(guid)))).scalars().all())
        if states & {commands.APPROVED, commands.APPLIED}:
            continue  # a supervisor's approval: the hub confirms it
        added = await conn.execute(dialect_insert(conn, cash_voids).values(
            payment_guid=guid, kind="void", actor=emp.email, owner=emp.email,
            reason=CLOSE_REASON, branch_guid=asked.branch_guid,
            customer_guid=asked.customer_guid, amount_minor=int(row.amount_minor),
            created_at=now()).on_conflict_do_nothing())
        if added.rowcount != 1:
            continue  # a supervisor rejected it at the same moment: voided already
        data = {"payment_guid": guid, "kind": "void", "actor": emp.email, "owner": emp.email,
                "amount": money(int(row.amount_minor)), "customer_guid": asked.customer_guid}
        await events.emit(conn, "cash.voided", data, branch_guid=asked.branch_guid,
                          to_supervisors=True, to_email=emp.email)
        await audit.append(conn, audit.Entry(
            actor=emp.email, action="cash", entity=f"payment:{guid}", desk_id=desk_id,
            branch_guid=asked.branch_guid, detail={**data, "reason": CLOSE_REASON}))
        voided.append(guid)
    return voided
