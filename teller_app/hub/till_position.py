"""A branch's cash position (supervisors): its vault, every live till's expected cash, and
the cash left in its closed tills — a till's last closing count stays in the drawer until it
is opened again (its opening count then takes over, co-signed when it differs), so a close
never makes cash drop out of the branch total. Transfers and vault counts waiting for a
supervisor are listed with it, and a till whose close waits for a co-sign names the payments
that close set aside (``set_aside``, as the close recorded it: no DCM read per request)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .errors import HubError
from .events import is_checker
from .models import HubEmployee
from .snapshot_read import one_snapshot
from .till_authorized import set_aside_recorded
from .till_holding import expected_minor
from .till_money import money
from .till_tables import till_transfers, tills, vaults
from .till_vault_counts import pending_counts
from .till_vault_transfers import transfer_out
from .tills import LIVE, branch_is, branch_key, closed_sessions, latest_first, till_out


async def closed_tills(conn: AsyncConnection, branch: str | None) -> list[Any]:
    """Each till code's last closed session, for codes with no live session (by code)."""
    t = tills.c
    rank = sa.func.row_number().over(partition_by=t.till_code,
                                     order_by=list(latest_first(branch))).label("rank")
    # A numbered close below its code's highest number never ranks first (``close_rank``):
    # only the highest and the unnumbered ones are ranked, not the branch's whole history.
    top = sa.select(t.till_code, sa.func.max(t.close_seq).label("seq")).where(
        *closed_sessions(None, branch)).group_by(t.till_code).subquery()
    last = sa.select(t.id, rank).select_from(tills.join(top, top.c.till_code == t.till_code)) \
        .where(*closed_sessions(None, branch),
               sa.or_(t.close_seq.is_(None), t.close_seq == top.c.seq)).subquery()
    live = sa.select(t.till_code).where(t.state.in_(LIVE), branch_is(t.branch_guid, branch))
    return list((await conn.execute(sa.select(tills).join(last, last.c.id == t.id).where(
        last.c.rank == 1, t.till_code.not_in(live)).order_by(t.till_code))).all())


def closed_out(r: Any) -> dict[str, Any]:
    return {"id": r.id, "till_code": r.till_code, "teller": r.teller,
            "closed_at": r.closed_at, "counted": money(r.close_minor)}


async def position(engine: AsyncEngine, emp: HubEmployee, branch: str | None) -> dict[str, Any]:
    """The branch's cash: ``total`` = vault + live tills' expected + ``in_closed_tills``."""
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator sees the branch cash position")
    if not emp.may_act_in(branch):
        raise HubError(403, "you may see only your own branch")
    t = tills.c
    async with one_snapshot(engine) as conn:  # the parts must add up: one moment's
        rows = (await conn.execute(sa.select(tills).where(
            t.state.in_(LIVE), branch_is(t.branch_guid, branch)).order_by(t.till_code))).all()
        expected = [await expected_minor(conn, r.id) for r in rows]  # read once per till
        out_tills = [await till_out(conn, r, e) for r, e in zip(rows, expected, strict=True)]
        for r, out in zip(rows, out_tills, strict=True):
            if r.state == "close_cosign":  # what its co-sign closes it without, as recorded
                out["set_aside"] = await set_aside_recorded(conn, r)
        till_minor = sum(expected)
        closed = await closed_tills(conn, branch)
        vault = (await conn.execute(sa.select(vaults.c.balance_minor).where(
            vaults.c.branch_key == branch_key(branch)))).scalar_one_or_none()
        pending = (await conn.execute(sa.select(till_transfers).where(
            till_transfers.c.state == "pending", branch_is(till_transfers.c.branch_guid, branch))
            .order_by(till_transfers.c.created_at, till_transfers.c.id))).all()
        counts = await pending_counts(conn, branch)
    vault_minor = int(vault or 0)
    closed_minor = sum(int(r.close_minor) for r in closed)
    return {"branch_guid": branch, "tills": out_tills, "vault": money(vault_minor),
            "in_open_tills": money(till_minor), "in_closed_tills": money(closed_minor),
            "closed_tills": [closed_out(r) for r in closed],
            "total": money(vault_minor + till_minor + closed_minor),
            "pending_transfers": [transfer_out(p) for p in pending],
            "pending_vault_counts": counts}
