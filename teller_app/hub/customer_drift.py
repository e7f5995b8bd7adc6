"""A four-eyes customer change is applied only onto the customer it was judged against.

A request keeps ``before``: the customer's values of the changed fields when it was filed
(and ``is_disabled``, see ``FROZEN``). Right before the PUT the executor reads the customer
again; a field that moved since filing, to anything but the value asked for, means another
desk changed it meanwhile: nothing is written and the request ends ``failed`` with
``STALE_PREFIX`` and what moved (``stale_result``), so the maker files it again over what is
there now. The approve endpoint makes the check before the decision is recorded, so the
approver is told at once (``end_unapplied``), and hands its read to the executor, which
writes onto it (a resumed execution, or an approval that could not read DCM, reads again
right before the PUT); ``GET /requests/{id}?current=true`` shows the approver what moved
before they decide (``current_of``).

DCM has no version, ETag or conditional PUT: a change landing between this read and the PUT
is still overwritten. The read narrows that window to one round trip; it cannot close it
(the watcher still reports changes made around the hub); from the approval's read it is a
decision's commit and a round trip wide.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.platform.hub_models import CUSTOMER_CHANGED
from teller_app.platform.models import Customer

from . import audit, commands, events
from .commands import Command
from .db import now
from .fe_tables import commands as commands_table
from .models import HubEmployee

# The one outcome a desk recognises (and words in its own language): the prefix, then a JSON
# object {field: {"was": at filing, "now": on DCM}} (``hub_models.customer_changed``).
STALE_PREFIX = CUSTOMER_CHANGED
# Snapshotted at filing whatever the change: a customer disabled after a change was filed
# (a fraud freeze) was judged anew by someone; a change judged before that freeze (a raised
# limit, a new phone number: the step an account takeover needs) must not go through it.
FROZEN = "is_disabled"
BRANCH = "branch_guid"  # the request is its filing branch's: moved since, never applied
ASSET = commands.LIMIT_ASSET  # kept at filing with a limit asked alone (routes_requests)
SHOWN_CHARS = 60  # a value in the result (its 1000 characters hold several fields)


def same(field: str, want: Any, have: Any) -> bool:
    """One field's values compared as DCM means them (amounts as numbers, no branch = "")."""
    if field == "balance_allowed":
        try:
            return Decimal(str(want)) == Decimal(str(have))
        except (InvalidOperation, ValueError):
            return False
    if field == "branch_guid":
        return (want or None) == (have or None)
    if field == "is_disabled":
        return bool(want) == bool(have)
    if field == "kyc_level":
        return str(want) == str(have)
    return str(want if want is not None else "") == str(have if have is not None else "")


def filing_extra(customer: Customer) -> dict[str, Any]:
    """What ``before`` holds besides the changed fields (see ``FROZEN``)."""
    return {FROZEN: bool(customer.is_disabled)}


def _values(customer: Customer) -> dict[str, Any]:
    data = customer.model_dump(mode="json")
    data["balance_allowed"] = format(Decimal(customer.balance_allowed or 0), "f")
    return data


def drift(cmd: Command, customer: Customer) -> dict[str, dict[str, Any]]:
    """{field: {"was", "now"}} of what moved since filing and would be lost or overridden;
    empty: the change may be applied. A field already at the wanted value loses nothing; one
    ``before`` lacks (a request filed by an older hub) cannot be compared and is let through.
    A customer disabled now stops it unless ``before`` says it was disabled at filing: a
    request filed before the freeze snapshot (no ``is_disabled``) cannot tell whether it was
    judged before the freeze, so it is taken as one ("was" None)."""
    away = branch_moved(cmd, customer)
    if away:  # the customer is another branch's now: nothing else of theirs is shown
        return away
    change, before, have = cmd.change, cmd.before, _values(customer)
    out: dict[str, dict[str, Any]] = {}
    for field, want in change.items():
        if field not in before or same(field, before[field], have.get(field)):
            continue
        if not same(field, want, have.get(field)):
            out[field] = {"was": before[field], "now": have.get(field)}
    if FROZEN not in change and have.get(FROZEN) and not before.get(FROZEN):
        out[FROZEN] = {"was": before.get(FROZEN), "now": True}
    # a limit was judged in its currency: another currency since filing moves it too
    if commands.limit_asked_alone(change) and ASSET in before and not same(
            ASSET, before[ASSET], have.get(ASSET)):
        out[ASSET] = {"was": before[ASSET], "now": have.get(ASSET)}
    return out


def branch_moved(cmd: Command, customer: Customer) -> dict[str, dict[str, Any]]:
    """The customer moved to another branch since ``cmd`` was filed (by anyone: a request that
    moves it too was judged with the rest of its change in the old branch): the request was
    judged by the branch it was filed in, whose approvers no longer may act on the customer
    and whose new branch never saw it, so it is never applied. Only the branch is said (the
    rest of the customer is the new branch's to see). A move this request made itself is
    found applied before any drift is read (``Executor._resume``)."""
    if (customer.branch_guid or "") == (cmd.branch_guid or ""):
        return {}
    return {BRANCH: {"was": cmd.branch_guid or None, "now": customer.branch_guid or None}}


def current_of(moved: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The request's ``current``: the moved fields as they are on DCM now."""
    return {field: values["now"] for field, values in moved.items()}


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return value[:SHOWN_CHARS - 1] + "…"
    return value


def stale_result(moved: dict[str, dict[str, Any]]) -> str:
    shown = {f: {"was": _short(v["was"]), "now": _short(v["now"])} for f, v in moved.items()}
    return STALE_PREFIX + json.dumps(shown, ensure_ascii=False, sort_keys=True)


class CustomerChanged(Exception):
    """Raised by the executor instead of the PUT: the request ends with ``result``."""

    def __init__(self, moved: dict[str, dict[str, Any]]) -> None:
        super().__init__("the customer changed since the request was filed")
        self.result = stale_result(moved)


async def end_unapplied(engine: AsyncEngine, cmd: Command, checker: HubEmployee,
                        moved: dict[str, dict[str, Any]], *, comment: str,
                        desk_id: str) -> Command | None:
    """pending → failed, never approved: the approver asked to approve a change its customer
    no longer fits. One conditional UPDATE (a racing decision or withdrawal wins or loses as
    with ``commands.decide``: None), with the usual ``request.failed`` event (maker and
    supervisors) and an execution entry naming the approver, in one transaction."""
    result = stale_result(moved)[:1000]
    t = now()
    async with engine.begin() as conn:
        done = await conn.execute(commands_table.update().where(
            commands_table.c.id == cmd.id, commands_table.c.state == commands.PENDING,
            commands_table.c.change_sha256 == cmd.sha256).values(
                state=commands.FAILED, checker=checker.email, checker_source=checker.source,
                decided_at=t, finished_at=t, comment=comment, result=result))
        if done.rowcount != 1:
            return None
        new = await commands.get(conn, cmd.id)
        assert new is not None
        await events.emit(conn, "request.failed", commands.summary(new),
                          branch_guid=new.branch_guid, to_supervisors=True, to_email=new.maker)
        await audit.append(conn, audit.Entry(
            actor=checker.email, action="execution", entity=f"request:{cmd.id}",
            branch_guid=new.branch_guid,
            detail={**commands.kept_currency(new), "state": commands.FAILED,
                    "result": result, "sha256": new.sha256,
                    "customer_guid": new.customer_guid, "approved": False,
                    "comment": comment, "maker": new.maker, "desk_id": desk_id}))
    return new
