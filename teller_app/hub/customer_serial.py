"""At most one approved customer change executing per customer (``commands.decide``): a
second approval waits (refused, still pending) until the first has ended, so it is judged
against the customer after the first's write ("changed since filing", as one at a time) and
never applied over it unseen."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from .contract import Error
from .db import now
from .errors import HubError
from .events import is_checker, named_lock_key
from .fe_tables import commands
from .models import HubEmployee

CHANGE_IN_PROGRESS = "customer_change_in_progress"
_APPROVED = "approved"  # ``commands.APPROVED`` (that module imports this one)
EXECUTING, AWAITING_RESUME = "executing", "awaiting_resume"


class Blocking(BaseModel):
    """The 409's ``blocking``: the approved change that holds the customer. Empty (``{}``)
    when the caller may not read that request (another branch's: it exists, nothing more)."""

    request_id: str | None = None
    state: Literal["executing", "awaiting_resume"] | None = None


class ChangeInProgressError(Error):
    """The body of the 409 ``customer_change_in_progress``."""

    blocking: Blocking


APPROVE_409_DOC: dict[str, Any] = {
    "model": ChangeInProgressError,
    "description": "Conflict with the current state. ``customer_change_in_progress``: another "
                   "approved change to this customer is executing or awaits Resume; the request "
                   "stays pending. ``blocking`` names it (``request_id``, ``state``: "
                   "``executing`` | ``awaiting_resume``) to a caller who may read it, else {}"}


class ChangeInProgress(HubError):
    """An approval of a customer change refused while another approved change to the same
    customer is still being applied (or awaits a resume): the request stays pending. A 409
    with its code, audited by it (``request_checks.refusals_audited``) and worded at the desk.
    ``blocking`` (the body's): the blocker's id and whether it runs or awaits a resume, or {}
    (``blocker``)."""

    def __init__(self, blocking: dict[str, Any] | None = None) -> None:
        super().__init__(409, "another approved change to this customer is still being "
                         "applied: the request stays pending, approve it again later",
                         CHANGE_IN_PROGRESS, {"blocking": blocking or {}})
        self.reason = CHANGE_IN_PROGRESS


def customer_change_lock_key(customer_guid: str) -> int:
    """A PostgreSQL advisory lock key: one customer's approvals of changes, one at a time
    (SQLite serialises the conditional UPDATE under its write lock)."""
    return named_lock_key(f"customer-change:{customer_guid}")


def no_sibling_applying(customer_guid: str, command_id: str) -> sa.ColumnElement[bool]:
    """No other customer change on this customer approved and not ended yet (executing, in
    doubt or awaiting a resume)."""
    other = commands.alias("sibling")
    return ~sa.exists().where(
        other.c.customer_guid == customer_guid, other.c.kind == "customer_update",
        other.c.state == _APPROVED, other.c.id != command_id)


async def blocker(conn: AsyncConnection, customer_guid: str, command_id: str,
                  emp: HubEmployee) -> dict[str, Any]:
    """The change ``no_sibling_applying`` found, as ``emp`` may be told of it (``Blocking``):
    its id and state only if ``emp`` may read that request (``request_checks.visible``: its
    maker, or a checker acting in its branch), else {} (as if unnamed); {} too once it ended."""
    other = commands.alias("sibling")
    row = (await conn.execute(sa.select(
        other.c.id, other.c.branch_guid, other.c.maker, other.c.interrupted_reported_at,
        other.c.execution_started_at).where(
        other.c.customer_guid == customer_guid, other.c.kind == "customer_update",
        other.c.state == _APPROVED, other.c.id != command_id).order_by(
        other.c.decided_at, other.c.id).limit(1))).first()
    if row is None or not (row.maker == emp.email or (
            is_checker(emp) and emp.may_act_in(row.branch_guid))):
        return {}
    from .execution_lease import stale_seconds  # (it imports ``commands``, which imports this)

    # reported interrupted (``commands.report_interrupted``) and not taken up again since: a
    # Resume renews the marker and leaves the report, so a resumed one reads as executing
    waits = (row.interrupted_reported_at is not None
             and (row.execution_started_at or 0) <= now() - stale_seconds())
    return {"request_id": row.id, "state": AWAITING_RESUME if waits else EXECUTING}


async def still_pending(conn: AsyncConnection, command_id: str, pending: str,
                        sha256: str | None) -> bool:
    """The request is still ``pending`` with the hash its approver saw: the UPDATE missed it
    for a sibling's execution, not for another decision (or a withdrawal)."""
    row = (await conn.execute(sa.select(commands.c.state, commands.c.change_sha256).where(
        commands.c.id == command_id))).first()
    return row is not None and row.state == pending and (
        sha256 is None or row.change_sha256 == sha256)
