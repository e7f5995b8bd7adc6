"""At most one approved customer change executing per customer (``commands.decide``): a
second approval waits (refused, still pending) until the first has ended, so it is judged
against the customer after the first's write ("changed since filing", as one at a time) and
never applied over it unseen."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import HubError
from .events import named_lock_key
from .fe_tables import commands

CHANGE_IN_PROGRESS = "customer_change_in_progress"
_APPROVED = "approved"  # ``commands.APPROVED`` (that module imports this one)


class ChangeInProgress(HubError):
    """An approval of a customer change refused while another approved change to the same
    customer is still being applied (or awaits a resume): the request stays pending. A 409
    with its code, audited by it (``request_checks.refusals_audited``) and worded at the desk."""

    def __init__(self) -> None:
        super().__init__(409, "another approved change to this customer is still being "
                         "applied: the request stays pending, approve it again later",
                         CHANGE_IN_PROGRESS)
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


async def still_pending(conn: AsyncConnection, command_id: str, pending: str,
                        sha256: str | None) -> bool:
    """The request is still ``pending`` with the hash its approver saw: the UPDATE missed it
    for a sibling's execution, not for another decision (or a withdrawal)."""
    row = (await conn.execute(sa.select(commands.c.state, commands.c.change_sha256).where(
        commands.c.id == command_id))).first()
    return row is not None and row.state == pending and (
        sha256 is None or row.change_sha256 == sha256)
