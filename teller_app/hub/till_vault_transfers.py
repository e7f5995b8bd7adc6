"""Vault transfers of a till (issue 15 item 6): a teller asks for cash from or to the branch
vault, a supervisor (never the teller) approves or rejects it, and an approved one moves the
vault's book balance and the till's expected cash in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import till_events
from .db import dialect_insert, now
from .errors import HubError
from .models import HubEmployee
from .till_holding import available_minor
from .till_money import check_cash_step, money
from .till_tables import till_ops, till_transfers, tills, vaults
from .tills import COUNTING, audit_till, branch_key, live_till


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
        check_cash_step(amount_minor)  # cash between drawer and vault: counted in coins too
        if till.state == "close_cosign":
            raise HubError(409, "the till's close is waiting for a supervisor's co-sign",
                           "awaiting_close_cosign")
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
        filed = (await conn.execute(sa.select(till_transfers).where(tt.id == tid))).one()
        await till_events.waiting(conn, till_events.transfer_data(filed, till.till_code),
                                  till.branch_guid)
        await audit_till(conn, emp, desk_id, till.id, till.branch_guid,
                     {"transfer": tid, "direction": direction, "amount": money(amount_minor)})
        return transfer_out(filed)


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
            if live not in COUNTING:
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
        code = (await conn.execute(sa.select(tills.c.till_code).where(
            tills.c.id == tr.till_id))).scalar_one()
        await till_events.decided(conn, till_events.transfer_data(tr, code), tr.branch_guid,
                                  state="approved" if approve else "rejected",
                                  checker=emp.email)
        await audit_till(conn, emp, "", tr.till_id, tr.branch_guid,
                     {"transfer": tr.id, "approved": approve, "comment": comment})
        return transfer_out((await conn.execute(sa.select(till_transfers).where(
            tt.id == transfer_id))).one())


async def lock_vault(conn: AsyncConnection, key: str, by: str) -> int:
    """The vault's book balance, its row taken for the transaction. A vault never counted
    nor moved gets its row first (0.00; an insert that yields to one racing it), so even the
    branch's first count or transfer has a row to wait on: without it, counts filed at once
    each missed the others' (all pending, each co-signed: the difference added N times) and
    two first transfers collided on the key."""
    v = vaults.c
    await conn.execute(dialect_insert(conn, vaults).values(
        branch_key=key, balance_minor=0, updated_by=by, updated_at=now())
        .on_conflict_do_nothing(index_elements=["branch_key"]))
    await conn.execute(vaults.update().where(v.branch_key == key).values(
        balance_minor=v.balance_minor))
    return int((await conn.execute(sa.select(v.balance_minor).where(
        v.branch_key == key))).scalar_one())


async def move_vault(conn: AsyncConnection, branch: str | None, delta: int, by: str) -> None:
    key = branch_key(branch)
    if await lock_vault(conn, key, by) + delta < 0:
        raise HubError(409, "the vault does not hold that much", "vault_short")
    v = vaults.c
    await conn.execute(vaults.update().where(v.branch_key == key).values(
        balance_minor=v.balance_minor + delta, updated_by=by, updated_at=now()))
