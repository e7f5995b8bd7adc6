"""A branch vault's counts (issue 15 item 6; four eyes like a till's opening count).

A supervisor's count equal to the vault's book balance is recorded at once. One that differs
needs a reason and waits for a SECOND supervisor (never the one who counted): until then the
vault keeps its book balance. The co-sign applies the difference found (counted − book at
the count), not the counted figure, so a vault transfer approved in between is never erased.
A newer count of the branch's vault supersedes one still waiting. Every count's audit entry
names the balance before it (``previous``) and the ``difference``. A branch's counts and
co-signs take its vault's row first (``lock_vault``, made for a vault never counted), one
after another, so at most one count waits (also a unique index, revision 0009).
A desk sends its own count id (one per save): a re-send of it (the answer was lost) answers
the count stored first and records nothing twice; the same id with another count is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit, till_events
from .db import dialect_insert, now
from .errors import HubError
from .models import HubEmployee
from .till_money import counts_json, money
from .till_tables import vault_counts, vaults
from .till_vault_transfers import lock_vault, move_vault
from .tills import branch_key


def count_out(r: Any) -> dict[str, Any]:
    return {"id": r.id, "branch_guid": r.branch_key or None, "counted": money(r.counted_minor),
            "book": money(r.book_minor), "difference": money(r.difference_minor),
            "reason": r.reason, "counted_by": r.counted_by, "state": r.state,
            "decided_by": r.decided_by, "decided_at": r.decided_at, "created_at": r.created_at}


async def _audit(conn: AsyncConnection, emp: HubEmployee, key: str,
                 detail: dict[str, Any]) -> None:
    await audit.append(conn, audit.Entry(actor=emp.email, action="till", entity=f"vault:{key}",
                                         branch_guid=key or None, detail=detail))


async def count_vault(engine: AsyncEngine, emp: HubEmployee, branch: str | None,
                      counts: dict[str, int], total: int, reason: str, *,
                      count_id: str | None = None) -> dict[str, Any]:
    """Record ``emp``'s count: applied when it matches the book, else waiting (``pending``).
    With the desk's ``count_id`` a re-send answers the count stored first, whatever became
    of it since (every count has its row, an applied one too)."""
    key = branch_key(branch)
    reason = reason.strip()
    async with engine.begin() as conn:
        book = await lock_vault(conn, key, emp.email)  # counts of a vault one at a time
        if count_id is not None:  # after the lock: a re-send racing its first waits for it
            stored = await _stored_count(conn, count_id, emp, key, counts, reason)
            if stored is not None:
                return stored
        count_id = count_id or str(uuid.uuid4())
        diff = total - book
        if diff and not reason:
            raise HubError(422, f"counted {money(total)} ≠ the vault's book {money(book)}: "
                           "give a reason for the difference", "reason_required")
        c = vault_counts.c
        replaced = (await conn.execute(sa.select(vault_counts).where(
            c.branch_key == key, c.state == "pending"))).all()  # under the vault's lock
        await conn.execute(vault_counts.update().where(
            c.branch_key == key, c.state == "pending").values(
            state="superseded", decided_by=emp.email, decided_at=now()))
        state = "pending" if diff else "applied"
        done = await conn.execute(dialect_insert(conn, vault_counts).values(
            id=count_id, branch_key=key, counts=counts_json(counts), counted_minor=total,
            book_minor=book, difference_minor=diff, reason=reason or None,
            counted_by=emp.email, state=state, created_at=now(),
            **({} if diff else {"decided_by": emp.email, "decided_at": now()}))
            .on_conflict_do_nothing(index_elements=["id"]))
        if done.rowcount != 1:  # the id is another branch's count (one branch's wait above)
            raise HubError(409, "this vault count id is taken: a recorded count never "
                           "changes", "count_id_taken")
        # (after the insert: the events lock is taken after every row this change writes)
        for old in replaced:  # no longer waits: the supervisors' views and its counter know
            await till_events.decided(conn, till_events.vault_count_data(old), key,
                                      state="superseded", checker=emp.email)
        row = (await conn.execute(sa.select(vault_counts).where(c.id == count_id))).one()
        if not diff:  # counted: who and when (``lock_vault`` above made the row)
            await conn.execute(vaults.update().where(vaults.c.branch_key == key).values(
                updated_by=emp.email, updated_at=now()))
        else:  # a second supervisor co-signs it
            await till_events.waiting(conn, till_events.vault_count_data(row), key)
        await _audit(conn, emp, key, {
            "vault_count": money(total), "counts": counts_json(counts), "previous": money(book),
            "difference": money(diff), "reason": reason, "count_id": count_id,
            "applied": not diff})
        return count_out(row)


async def _stored_count(conn: AsyncConnection, count_id: str, emp: HubEmployee, key: str,
                        counts: dict[str, int], reason: str) -> dict[str, Any] | None:
    """The count recorded before with this id (None: none); 409 when the id names another."""
    row = (await conn.execute(sa.select(vault_counts).where(
        vault_counts.c.id == count_id))).first()
    if row is None:
        return None
    if (row.counted_by, row.branch_key, row.counts, row.reason or "") != (
            emp.email, key, counts_json(counts), reason):
        raise HubError(409, "this vault count id is taken: a recorded count never changes",
                       "count_id_taken")
    return count_out(row)


async def _count(conn: AsyncConnection, emp: HubEmployee, count_id: str) -> Any:
    row = (await conn.execute(sa.select(vault_counts).where(
        vault_counts.c.id == count_id))).first()
    if row is None or not emp.may_act_in(row.branch_key or None):
        raise HubError(404, "no such vault count")
    return row


async def get_count(engine: AsyncEngine, emp: HubEmployee, count_id: str) -> dict[str, Any]:
    async with engine.connect() as conn:
        return count_out(await _count(conn, emp, count_id))


async def cosign_count(engine: AsyncEngine, emp: HubEmployee, count_id: str) -> dict[str, Any]:
    """A second supervisor co-signs a waiting count: the vault moves by its difference."""
    c = vault_counts.c
    async with engine.begin() as conn:
        row = await _count(conn, emp, count_id)
        if row.counted_by == emp.email:
            raise HubError(403, "you counted the vault yourself: a second supervisor co-signs "
                           "it", "vault_count_own")
        book = await lock_vault(conn, row.branch_key, emp.email)  # first, as a transfer does
        done = await conn.execute(vault_counts.update().where(
            c.id == count_id, c.state == "pending").values(
            state="applied", decided_by=emp.email, decided_at=now()))
        if done.rowcount != 1:
            raise HubError(409, f"the count is {row.state}: nothing to co-sign",
                           "nothing_to_cosign")
        await move_vault(conn, row.branch_key or None, int(row.difference_minor), emp.email)
        await till_events.decided(conn, till_events.vault_count_data(row), row.branch_key,
                                  state="cosigned", checker=emp.email)
        await _audit(conn, emp, row.branch_key, {
            "vault_count_cosigned": money(row.counted_minor), "count_id": count_id,
            "counted_by": row.counted_by, "previous": money(book),
            "difference": money(row.difference_minor),
            "balance": money(book + int(row.difference_minor))})
        return count_out((await conn.execute(sa.select(vault_counts).where(
            c.id == count_id))).one())


async def pending_counts(conn: AsyncConnection, branch: str | None) -> list[dict[str, Any]]:
    c = vault_counts.c
    rows = (await conn.execute(sa.select(vault_counts).where(
        c.branch_key == branch_key(branch), c.state == "pending")
        .order_by(c.created_at, c.id))).all()
    return [count_out(r) for r in rows]
