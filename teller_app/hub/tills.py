"""Till sessions on the hub (issue 15 item 6): open with a count by denomination (a
supervisor co-signs when it differs from the till's last close), the expected position moved
by verified cash operations and approved vault transfers, close with over/short.

One desk holds a till at a time: opening takes a lease (``desk_id``, renewed by every call
and by heartbeats); another desk is refused until the lease lapses. A till code has at most
one live session, and a teller at most one (unique ``active_key`` / ``active_teller``).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit
from .db import dialect_insert, now
from .errors import HubError
from .models import HubEmployee
from .till_holding import available_minor, expected_minor, outstanding
from .till_money import counts_json, money
from .till_tables import till_ops, till_transfers, tills, vaults

LIVE = ("cosign", "open")


def lease_seconds() -> int:
    try:
        return max(5, int(os.environ.get("TELLER_HUB_TILL_LEASE_S", "120")))
    except ValueError:
        return 120


def branch_key(branch_guid: str | None) -> str:
    return branch_guid or ""


async def till_out(conn: AsyncConnection, row: Any) -> dict[str, Any]:
    expected = await expected_minor(conn, row.id)
    return {
        "id": row.id, "till_code": row.till_code, "branch_guid": row.branch_guid,
        "teller": row.teller, "state": row.state, "opened_at": row.opened_at,
        "open_counts": json.loads(row.open_counts), "open_total": money(row.open_minor),
        "previous_close": None if row.prev_close_minor is None else money(row.prev_close_minor),
        "cosigned_by": row.cosigned_by, "desk_id": row.desk_id, "lease_until": row.lease_until,
        "expected": money(expected), "closed_at": row.closed_at,
        "close_counts": json.loads(row.close_counts) if row.close_counts else None,
        "counted": None if row.close_minor is None else money(row.close_minor),
        "over_short": None if row.over_short_minor is None else money(row.over_short_minor),
        "close_reason": row.close_reason,
    }


async def _audit(conn: AsyncConnection, emp: HubEmployee, desk_id: str, till_id: str,
                 branch: str | None, detail: dict[str, Any]) -> None:
    await audit.append(conn, audit.Entry(actor=emp.email, action="till", entity=f"till:{till_id}",
                                         desk_id=desk_id, branch_guid=branch, detail=detail))


async def open_till(engine: AsyncEngine, emp: HubEmployee, *, till_code: str, desk_id: str,
                    counts: dict[str, int], total: int) -> dict[str, Any]:
    t = tills.c
    branch = emp.branch_guid if not emp.head_office else None
    key = f"{branch_key(branch)}:{till_code}"
    at = now()
    async with engine.begin() as conn:
        live = (await conn.execute(sa.select(tills).where(
            sa.or_(t.active_key == key, t.active_teller == emp.email)))).first()
        if live is not None:
            if live.teller == emp.email and live.till_code == till_code and (
                    live.desk_id == desk_id or live.lease_until < at):
                await conn.execute(tills.update().where(t.id == live.id).values(
                    desk_id=desk_id, lease_until=at + lease_seconds()))
                row = (await conn.execute(sa.select(tills).where(t.id == live.id))).one()
                return await till_out(conn, row)
            if live.till_code != till_code:
                raise HubError(409, f"you already hold till {live.till_code}: close it first",
                               "till_held")
            raise HubError(409, f"till {till_code} is open at another desk ({live.teller})",
                           "till_busy")
        last = (await conn.execute(sa.select(t.close_minor).where(
            t.till_code == till_code, sa.func.coalesce(t.branch_guid, "") == branch_key(branch),
            t.state == "closed").order_by(t.closed_at.desc()).limit(1))).first()
        prev = None if last is None else int(last.close_minor)
        # The first opening of a till has nothing to compare with: a supervisor co-signs it.
        state = "open" if prev is not None and prev == total else "cosign"
        till_id = str(uuid.uuid4())
        try:
            await conn.execute(tills.insert().values(
                id=till_id, till_code=till_code, branch_guid=branch, teller=emp.email,
                state=state, active_key=key, active_teller=emp.email, opened_at=at,
                open_counts=counts_json(counts), open_minor=total, prev_close_minor=prev,
                desk_id=desk_id, lease_until=at + lease_seconds()))
        except sa.exc.IntegrityError:
            raise HubError(409, f"till {till_code} is open at another desk",
                           "till_busy") from None
        await _audit(conn, emp, desk_id, till_id, branch, {
            "open": money(total), "till_code": till_code, "counts": counts_json(counts),
            "previous_close": None if prev is None else money(prev)})
        row = (await conn.execute(sa.select(tills).where(t.id == till_id))).one()
        return await till_out(conn, row)


async def live_till(conn: AsyncConnection, emp: HubEmployee, desk_id: str | None,
                    *, renew: bool = True) -> Any:
    """The teller's live till held by this desk (409 for another desk while leased)."""
    t = tills.c
    row = (await conn.execute(sa.select(tills).where(t.active_teller == emp.email))).first()
    if row is None:
        raise HubError(409, "you have no open till")
    at = now()
    if desk_id is not None and row.desk_id != desk_id and row.lease_until >= at:
        raise HubError(409, f"the till is in use at another desk ({row.desk_id})",
                       "till_elsewhere")
    if renew and desk_id is not None:
        await conn.execute(tills.update().where(t.id == row.id).values(
            desk_id=desk_id, lease_until=at + lease_seconds()))
        row = (await conn.execute(sa.select(tills).where(t.id == row.id))).one()
    return row


async def cosign(engine: AsyncEngine, emp: HubEmployee, till_id: str) -> dict[str, Any]:
    t = tills.c
    async with engine.begin() as conn:
        row = (await conn.execute(sa.select(tills).where(t.id == till_id))).first()
        if row is None or not emp.may_act_in(row.branch_guid):
            raise HubError(404, "no such till")
        if row.teller == emp.email:
            raise HubError(403, "the teller may not co-sign their own count", "cosign_own")
        done = await conn.execute(tills.update().where(t.id == till_id, t.state == "cosign")
                                  .values(state="open", cosigned_by=emp.email,
                                          cosigned_at=now()))
        if done.rowcount != 1:
            raise HubError(409, f"the till is {row.state}: nothing to co-sign",
                           "nothing_to_cosign")
        await _audit(conn, emp, "", till_id, row.branch_guid, {"cosigned": True})
        return await till_out(conn, (await conn.execute(
            sa.select(tills).where(t.id == till_id))).one())


async def record_operation(conn: AsyncConnection, till: Any, *, payment_guid: str, kind: str,
                           category: str, amount_minor: int, customer_guid: str) -> bool:
    """Count a confirmed payment once; False when it was already counted in this till. The
    till's row is taken first: a till closed meanwhile (a close racing a reconcile) refuses,
    so its close figures always match its operations."""
    still = await conn.execute(tills.update().where(
        tills.c.id == till.id, tills.c.state.in_(("cosign", "open"))).values(
            state=tills.c.state))
    if still.rowcount != 1:
        raise HubError(409, "the till is closed", "till_closed")
    found = (await conn.execute(sa.select(till_ops.c.till_id).where(
        till_ops.c.payment_guid == payment_guid))).first()
    if found is not None:
        if found.till_id != till.id:
            raise HubError(409, "this payment is counted in another till", "counted_elsewhere")
        return False
    delta = amount_minor if kind == "deposit" else -amount_minor
    await conn.execute(till_ops.insert().values(
        till_id=till.id, payment_guid=payment_guid, kind=kind, category=category,
        amount_minor=amount_minor, delta_minor=delta, customer_guid=customer_guid,
        created_at=now()))
    from .cash_commands import check_supervised  # over the threshold without approval?

    await check_supervised(conn, payment_guid, amount_minor, customer_guid)
    return True


async def request_transfer(engine: AsyncEngine, emp: HubEmployee, desk_id: str, direction: str,
                           amount_minor: int, *, transfer_id: str | None = None
                           ) -> dict[str, Any]:
    """File a pending transfer. With the desk's ``transfer_id`` a re-send (its answer was
    lost) answers the stored transfer, whatever became of it, and files nothing twice."""
    tt = till_transfers.c
    async with engine.begin() as conn:
        till = await live_till(conn, emp, desk_id)  # renews the lease: a write comes first
        if transfer_id is not None:
            stored = await _stored_transfer(conn, transfer_id, till, emp, direction,
                                            amount_minor)
            if stored is not None:
                return stored
        if till.state != "open":
            raise HubError(409, "the till is waiting for a co-sign", "awaiting_cosign")
        # what the till can pay: less authorized withdrawals and other pending transfers out
        if direction == "to_vault" and amount_minor > await available_minor(conn, till.id):
            raise HubError(409, "the till does not hold that much", "till_short")
        tid = transfer_id or str(uuid.uuid4())
        done = await conn.execute(dialect_insert(conn, till_transfers).values(
            id=tid, till_id=till.id, branch_guid=till.branch_guid, direction=direction,
            amount_minor=amount_minor, requested_by=emp.email, state="pending",
            created_at=now()).on_conflict_do_nothing(index_elements=["id"]))
        if done.rowcount != 1:  # the same id filed at this moment by a racing re-send
            stored = await _stored_transfer(conn, tid, till, emp, direction, amount_minor)
            assert stored is not None
            return stored
        await _audit(conn, emp, desk_id, till.id, till.branch_guid,
                     {"transfer": tid, "direction": direction, "amount": money(amount_minor)})
        return transfer_out((await conn.execute(sa.select(till_transfers).where(
            tt.id == tid))).one())


async def _stored_transfer(conn: AsyncConnection, transfer_id: str, till: Any,
                           emp: HubEmployee, direction: str, amount_minor: int
                           ) -> dict[str, Any] | None:
    """The transfer filed before with this id (None: none); 409 when the id names another."""
    row = (await conn.execute(sa.select(till_transfers).where(
        till_transfers.c.id == transfer_id))).first()
    if row is None:
        return None
    if (row.requested_by, row.till_id, row.direction, row.amount_minor) != (
            emp.email, till.id, direction, amount_minor):
        raise HubError(409, "this transfer id is taken: a filed transfer never changes")
    return transfer_out(row)


def transfer_out(r: Any) -> dict[str, Any]:
    return {"id": r.id, "till_id": r.till_id, "branch_guid": r.branch_guid,
            "direction": r.direction, "amount": money(r.amount_minor),
            "requested_by": r.requested_by, "state": r.state, "decided_by": r.decided_by,
            "decided_at": r.decided_at, "comment": r.comment, "created_at": r.created_at}


async def decide_transfer(engine: AsyncEngine, emp: HubEmployee, transfer_id: str, *,
                          approve: bool, comment: str) -> dict[str, Any]:
    tt = till_transfers.c
    async with engine.begin() as conn:
        tr = (await conn.execute(sa.select(till_transfers).where(tt.id == transfer_id))).first()
        if tr is None or not emp.may_act_in(tr.branch_guid):
            raise HubError(404, "no such transfer")
        if tr.requested_by == emp.email:
            raise HubError(403, "the teller may not approve their own transfer", "transfer_own")
        # the till's row first (as an authorize and a close take it): what it holds and has
        # promised is read once, with nothing authorized on it meanwhile
        await conn.execute(tills.update().where(tills.c.id == tr.till_id).values(
            version=tills.c.version + 1))
        done = await conn.execute(till_transfers.update().where(
            tt.id == transfer_id, tt.state == "pending").values(
            state="approved" if approve else "rejected", decided_by=emp.email,
            decided_at=now(), comment=comment))
        if done.rowcount != 1:
            raise HubError(409, f"the transfer is already {tr.state}", "transfer_decided")
        if approve:
            live = (await conn.execute(sa.select(tills.c.state).where(
                tills.c.id == tr.till_id))).scalar_one()
            if live not in LIVE:
                raise HubError(409, "the till is closed", "till_closed")
            if tr.direction == "to_vault" and tr.amount_minor > await available_minor(
                    conn, tr.till_id, transfer_id=tr.id):  # paid out meanwhile: still there?
                raise HubError(409, "the till does not hold that much (cash paid out or "
                               "promised since the transfer was asked)", "till_short")
            sign = 1 if tr.direction == "to_till" else -1
            await move_vault(conn, tr.branch_guid, -sign * tr.amount_minor, emp.email)
            await conn.execute(till_ops.insert().values(
                till_id=tr.till_id, transfer_id=tr.id, kind=tr.direction, category="",
                amount_minor=tr.amount_minor, delta_minor=sign * tr.amount_minor,
                customer_guid="", created_at=now()))
        await _audit(conn, emp, "", tr.till_id, tr.branch_guid,
                     {"transfer": tr.id, "approved": approve, "comment": comment})
        return transfer_out((await conn.execute(sa.select(till_transfers).where(
            tt.id == transfer_id))).one())


async def move_vault(conn: AsyncConnection, branch: str | None, delta: int, by: str) -> None:
    key = branch_key(branch)
    v = vaults.c
    done = await conn.execute(vaults.update().where(v.branch_key == key).values(
        balance_minor=v.balance_minor + delta, updated_by=by, updated_at=now()))
    if done.rowcount == 0:
        await conn.execute(vaults.insert().values(branch_key=key, balance_minor=delta,
                                                  updated_by=by, updated_at=now()))
    bal = (await conn.execute(sa.select(v.balance_minor).where(v.branch_key == key))).scalar_one()
    if bal < 0:
        raise HubError(409, "the vault does not hold that much", "vault_short")


async def set_vault(engine: AsyncEngine, emp: HubEmployee, branch: str | None,
                    counts: dict[str, int], total: int) -> None:
    async with engine.begin() as conn:
        key = branch_key(branch)
        done = await conn.execute(vaults.update().where(vaults.c.branch_key == key).values(
            balance_minor=total, updated_by=emp.email, updated_at=now()))
        if done.rowcount == 0:
            await conn.execute(vaults.insert().values(branch_key=key, balance_minor=total,
                                                      updated_by=emp.email, updated_at=now()))
        await audit.append(conn, audit.Entry(
            actor=emp.email, action="till", entity=f"vault:{key}", branch_guid=branch,
            detail={"vault_count": money(total), "counts": counts_json(counts)}))


async def void_left_behind_on_till(engine: AsyncEngine, emp: HubEmployee, desk_id: str,
                                   created: frozenset[str], read_at: int) -> list[str]:
    """Before a close, in a transaction of its own (kept even when the close is refused):
    the till's drafts DCM showed CREATED that nothing may still confirm are voided
    (``till_close_voids``); their GUIDs."""
    from .till_close_voids import void_left_behind  # it imports voids, which import tills'

    async with engine.begin() as conn:
        till = await live_till(conn, emp, desk_id)
        return await void_left_behind(conn, emp, till.id, created, read_at, desk_id)


async def close_till(engine: AsyncEngine, emp: HubEmployee, desk_id: str,
                     counts: dict[str, int], total: int, reason: str, *,
                     never_confirmed: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Close with over/short. Refused while a draft authorized on the till is neither counted
    nor voided (``drafts_outstanding``): confirmed later, no till would count it (drafts left
    behind are voided first: ``void_left_behind_on_till``). The till's row is taken first,
    so an authorize or a count waits for the close (and then finds the till closed) or was
    committed before it and is seen here. ``never_confirmed``: drafts no till will count (the
    route read them): FAILED on DCM, or confirmed as no till cash."""
    async with engine.begin() as conn:
        till = await live_till(conn, emp, desk_id)
        await conn.execute(tills.update().where(tills.c.id == till.id).values(
            version=tills.c.version + 1))
        unsettled = [r for r in await outstanding(conn, till.id)
                     if r.payment_guid not in never_confirmed]
        if unsettled:
            listed = ", ".join(f"{r.kind} {money(int(r.amount_minor))} {r.payment_guid}"
                               for r in unsettled[:20])
            raise HubError(409, f"{len(unsettled)} cash draft(s) on this till may still be "
                           "confirmed (a confirm sent moments ago, or a supervisor's approval): "
                           f"try again in a minute ({listed})", "drafts_outstanding")
        pending = (await conn.execute(sa.select(sa.func.count()).select_from(till_transfers)
                                      .where(till_transfers.c.till_id == till.id,
                                             till_transfers.c.state == "pending"))).scalar_one()
        if pending:
            raise HubError(409, "a vault transfer is still waiting for a supervisor",
                           "transfer_pending")
        expected = await expected_minor(conn, till.id)
        diff = total - expected
        if diff and not reason.strip():
            raise HubError(422, f"counted {money(total)} ≠ expected {money(expected)}: "
                           "give a reason for the over/short", "reason_required")
        closed = await conn.execute(tills.update().where(
            tills.c.id == till.id, tills.c.state != "closed").values(
            state="closed", active_key=None, active_teller=None, closed_at=now(),
            close_counts=counts_json(counts), close_minor=total, expected_minor=expected,
            over_short_minor=diff, close_reason=reason.strip() or None, lease_until=0))
        if closed.rowcount != 1:  # a second close at the same moment: the first one stands
            raise HubError(409, "the till is closed", "till_closed")
        await _audit(conn, emp, desk_id, till.id, till.branch_guid, {
            "close": money(total), "expected": money(expected), "over_short": money(diff),
            "reason": reason.strip()})
        return await till_out(conn, (await conn.execute(
            sa.select(tills).where(tills.c.id == till.id))).one())


async def report(engine: AsyncEngine, emp: HubEmployee, till_id: str) -> dict[str, Any]:
    """Everything the end-of-day report prints."""
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(tills).where(tills.c.id == till_id))).first()
        if row is None or not (row.teller == emp.email or (
                _checker(emp) and emp.may_act_in(row.branch_guid))):
            raise HubError(404, "no such till")
        ops = (await conn.execute(sa.select(till_ops).where(till_ops.c.till_id == till_id)
                                  .order_by(till_ops.c.id))).all()
        out = await till_out(conn, row)
    totals: dict[str, dict[str, Any]] = {}
    for op in ops:
        entry = totals.setdefault(op.kind, {"count": 0, "minor": 0})
        entry["count"] += 1
        entry["minor"] += op.amount_minor
    out["operations"] = [{"kind": o.kind, "category": o.category, "amount": money(o.amount_minor),
                          "payment_guid": o.payment_guid, "customer_guid": o.customer_guid,
                          "at": o.created_at} for o in ops]
    out["totals"] = {k: {"count": v["count"], "amount": money(v["minor"])}
                     for k, v in sorted(totals.items())}
    return out


def _checker(emp: HubEmployee) -> bool:
    return any(r in ("Supervisor", "Administrator") for r in emp.roles)


async def position(engine: AsyncEngine, emp: HubEmployee, branch: str | None) -> dict[str, Any]:
    """All live tills of a branch and its vault (supervisors)."""
    if not _checker(emp):
        raise HubError(403, "only a Supervisor or Administrator sees the branch cash position")
    if not emp.may_act_in(branch):
        raise HubError(403, "you may see only your own branch")
    t = tills.c
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(tills).where(
            t.state.in_(LIVE), sa.func.coalesce(t.branch_guid, "") == branch_key(branch))
            .order_by(t.till_code))).all()
        out_tills = [await till_out(conn, r) for r in rows]
        till_minor = sum([await expected_minor(conn, r.id) for r in rows])
        vault = (await conn.execute(sa.select(vaults.c.balance_minor).where(
            vaults.c.branch_key == branch_key(branch)))).scalar_one_or_none()
        pending = (await conn.execute(sa.select(till_transfers).where(
            sa.func.coalesce(till_transfers.c.branch_guid, "") == branch_key(branch),
            till_transfers.c.state == "pending"))).all()
    vault_minor = int(vault or 0)
    return {"branch_guid": branch, "tills": out_tills, "vault": money(vault_minor),
            "total": money(vault_minor + till_minor),
            "pending_transfers": [transfer_out(p) for p in pending]}
