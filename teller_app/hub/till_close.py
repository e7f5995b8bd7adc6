"""Closing a till (issue 15 item 6): counted vs expected → over/short.

Refused while the opening count waits for its co-sign (``awaiting_cosign``): closed then, an
overnight shortage would vanish, as the next opening would match that close. A difference
needs a reason; one past the bank's ``close_tolerance`` (``cash_limits``, 0 by default: any
difference) also needs a supervisor: the figures are kept, the till waits in
``close_cosign`` (still the teller's, nothing moves it) and closes when another employee
with the role co-signs exactly the count they saw. Meanwhile the teller may count again:
the new figures replace the waiting ones and still wait for the co-sign, whatever their
over/short (a teller flagged 5 000 short must not close alone with a count that balances);
the supervisor co-signs the new count (``count_changed`` for the one seen before).
A payment DCM confirmed unlike its authorization (``till_authorized``: never counted) also
makes the close wait for the co-sign, with a reason, named (``set_aside``): the co-sign
closes the till without it, an audit row per payment set aside.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import till_authorized, till_events
from .db import now
from .errors import HubError
from .models import HubEmployee
from .till_holding import expected_minor, outstanding
from .till_money import counts_json, money
from .till_tables import till_transfers, tills
from .tills import audit_till, closed_sessions, live_till, till_out, till_to_cosign


async def void_left_behind_on_till(engine: AsyncEngine, emp: HubEmployee, desk_id: str,
                                   created: frozenset[str], read_at: int, *, total: int,
                                   reason: str) -> list[str]:
    """Before a close, in a transaction of its own: the till's drafts DCM showed CREATED that
    nothing may still confirm are voided (``till_close_voids``); their GUIDs. First, with the
    till's row taken, the close's refusals no void could change (``_refusals_before_voids``:
    counted ``total`` with its ``reason``): refused there, nothing is voided and a customer's
    draft in progress can still be confirmed. The voids are kept when the close is refused
    after them: for a draft they could not settle (``drafts_outstanding``, tried again), or
    for a change that landed between the two transactions."""
    from .till_close_voids import only_voidable_left, void_left_behind  # (voids import tills)

    async with engine.begin() as conn:
        till = await live_till(conn, emp, desk_id)
        # a difference is judged here only when no draft may still be counted into the
        # expected cash (a confirm in flight, an approved one): else ``close_till`` judges it
        # after its ``drafts_outstanding``, so a count holding that cash asks no reason
        settled = await only_voidable_left(conn, till.id, created, read_at)
        await _refusals_before_voids(conn, till, total, reason, with_difference=settled)
        return await void_left_behind(conn, emp, till.id, created, read_at, desk_id)


async def _refusals_before_voids(conn: AsyncConnection, till: Any, total: int, reason: str,
                                 *, with_difference: bool = True) -> int:
    """409/422 for what refuses a close whatever the voids do to its drafts (the expected
    cash counts confirmed operations only, never a draft): the opening count not co-signed,
    a transfer waiting and, ``with_difference``, a difference without a reason. The
    expected cash otherwise."""
    if till.state == "cosign":
        raise HubError(409, "the opening count waits for a supervisor's co-sign: the till "
                       "closes once it is co-signed", "awaiting_cosign")
    pending = (await conn.execute(sa.select(sa.func.count()).select_from(till_transfers)
                                  .where(till_transfers.c.till_id == till.id,
                                         till_transfers.c.state == "pending"))).scalar_one()
    if pending:
        raise HubError(409, "a vault transfer is still waiting for a supervisor",
                       "transfer_pending")
    expected = await expected_minor(conn, till.id)
    if with_difference and total != expected and not reason.strip():
        raise HubError(422, f"counted {money(total)} ≠ expected {money(expected)}: "
                       "give a reason for the over/short", "reason_required")
    return expected


async def _drafts_settled(conn: AsyncConnection, till: Any,
                          never_confirmed: frozenset[str]) -> None:
    """409 while a draft authorized on the till may still be confirmed."""
    unsettled = [r for r in await outstanding(conn, till.id)
                 if r.payment_guid not in never_confirmed]
    if unsettled:
        listed = ", ".join(f"{r.kind} {money(int(r.amount_minor))} {r.payment_guid}"
                           for r in unsettled[:20])
        raise HubError(409, f"{len(unsettled)} cash draft(s) on this till may still be "
                       "confirmed (a confirm sent moments ago, or a supervisor's approval): "
                       f"try again in a minute ({listed})", "drafts_outstanding")


async def close_till(engine: AsyncEngine, emp: HubEmployee, desk_id: str,
                     counts: dict[str, int], total: int, reason: str, *, tolerance: int = 0,
                     never_confirmed: frozenset[str] = frozenset(),
                     set_aside: tuple[till_authorized.Mismatch, ...] = ()) -> dict[str, Any]:
    """Close with over/short, or keep it waiting for a supervisor's co-sign when the
    over/short passes ``tolerance`` (kopiyky) or the close already waits for one. Refused
    while a draft authorized on the till is neither counted nor voided
    (``drafts_outstanding``): confirmed later, no till would count it (drafts left behind
    are voided first, unless the close is refused for something else:
    ``void_left_behind_on_till``). The till's row is taken first, so an
    authorize or a count waits for the close (and then finds the till closed) or was
    committed before it and is seen here. ``never_confirmed``: drafts no till will count
    (the route read them FAILED on DCM). A draft confirmed on DCM is never among them: it is
    counted by its authorization, or it is one of ``set_aside`` (confirmed unlike its
    authorization: ``till_authorized``): then the close waits for a supervisor's co-sign
    whatever its over/short, naming them. ``set_aside`` is the route's, already checked
    (``till_authorized.set_aside_for_close``: refused without a reason, before any void)."""
    reason = reason.strip()
    never_confirmed = never_confirmed | {m.payment_guid for m in set_aside}
    async with engine.begin() as conn:
        till = await live_till(conn, emp, desk_id)
        await conn.execute(tills.update().where(tills.c.id == till.id).values(
            version=tills.c.version + 1))
        # a draft that may still be counted first: it may still move the expected cash
        await _refusals_before_voids(conn, till, total, reason, with_difference=False)
        await _drafts_settled(conn, till, never_confirmed)
        expected = await _refusals_before_voids(conn, till, total, reason)
        diff = total - expected
        figures = {"close_counts": counts_json(counts), "close_minor": total,
                   "expected_minor": expected, "over_short_minor": diff,
                   "close_reason": reason or None,
                   # what the co-sign closes it without, as read now (the branch position)
                   "close_set_aside": json.dumps([m.out() for m in set_aside])
                   if set_aside else None}
        detail = {"close": money(total), "expected": money(expected),
                  "over_short": money(diff), "reason": reason}
        # past what a teller closes alone, or a recount of a close already flagged: a
        # supervisor co-signs (``till`` was read after ``live_till`` took its row)
        if abs(diff) > tolerance or till.state == "close_cosign" or set_aside:
            held = await conn.execute(tills.update().where(
                tills.c.id == till.id, tills.c.state.in_(("open", "close_cosign"))).values(
                state="close_cosign", **figures))
            if held.rowcount != 1:
                raise HubError(409, "the till is closed", "till_closed")
            waits = (await conn.execute(sa.select(tills).where(tills.c.id == till.id))).one()
            await till_events.waiting(conn, till_events.close_data(waits), till.branch_guid)
            await audit_till(conn, emp, desk_id, till.id, till.branch_guid, {
                **detail, "awaits_cosign": True, "close_tolerance": money(tolerance),
                **({"set_aside": [m.out() for m in set_aside]} if set_aside else {})})
        else:
            await _close(conn, till, figures, ("open",))
            await audit_till(conn, emp, desk_id, till.id, till.branch_guid, detail)
        return {**await till_out(conn, (await conn.execute(
            sa.select(tills).where(tills.c.id == till.id))).one()),
            "set_aside": [m.out() for m in set_aside]}


async def _close(conn: AsyncConnection, till: Any, figures: dict[str, Any],
                 states: tuple[str, ...], **more: Any) -> None:
    """The till closed (its code and teller free again), numbered after its code's last
    close: ``close_seq`` orders closes where the clock's whole seconds tie. One session of a
    code is live at a time, so no two closes of a code take the same number."""
    t = tills.c
    seq = (await conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.close_seq), 0)).where(
        *closed_sessions(till.till_code, till.branch_guid)))).scalar_one()
    closed = await conn.execute(tills.update().where(
        t.id == till.id, t.state.in_(states)).values(
        state="closed", active_key=None, active_teller=None, closed_at=now(),
        close_seq=int(seq) + 1, lease_until=0, **figures, **more))
    if closed.rowcount != 1:  # a second close at the same moment: the first one stands
        raise HubError(409, "the till is closed", "till_closed")


async def cosign_close(engine: AsyncEngine, emp: HubEmployee, till_id: str, counted: int,
                       confirmed: Mapping[str, till_authorized.Mismatch] | None = None
                       ) -> dict[str, Any]:
    """A supervisor (never the till's teller) co-signs the over/short of a close waiting
    for them; ``counted``: the count they saw (409 ``count_changed`` after a recount). The
    payments the close set aside (``set_aside``) are left out, an audit row each naming
    what DCM confirmed (``confirmed``, read before: ``till_reconcile.set_aside_read``)."""
    async with engine.begin() as conn:
        row = await till_to_cosign(conn, emp, till_id)
        await conn.execute(tills.update().where(tills.c.id == till_id).values(
            version=tills.c.version + 1))  # a recount at the teller's desk waits for this
        row = (await conn.execute(sa.select(tills).where(tills.c.id == till_id))).one()
        if row.state != "close_cosign":
            raise HubError(409, f"the till is {row.state}: no close to co-sign",
                           "nothing_to_cosign")
        if row.close_minor != counted:
            raise HubError(409, f"the teller counted again ({money(row.close_minor)}): "
                           "look at the till again", "count_changed")
        set_aside = await till_authorized.set_aside_on_close(conn, emp, row, confirmed or {})
        await _close(conn, row, {}, ("close_cosign",), close_cosigned_by=emp.email,
                     close_cosigned_at=now())
        await till_events.decided(conn, till_events.close_data(row), row.branch_guid,
                                  state="cosigned", checker=emp.email)
        await audit_till(conn, emp, "", till_id, row.branch_guid, {
            "close_cosigned": True, "close": money(row.close_minor),
            "expected": money(row.expected_minor), "over_short": money(row.over_short_minor),
            "reason": row.close_reason or "",
            **({"set_aside": [s["payment_guid"] for s in set_aside]} if set_aside else {})})
        return {**await till_out(conn, (await conn.execute(
            sa.select(tills).where(tills.c.id == till_id))).one()), "set_aside": set_aside}
