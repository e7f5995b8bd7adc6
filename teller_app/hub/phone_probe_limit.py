"""How many phone number checks an employee may have the hub run in a minute.

The one-customer-per-number rule (``phone_holders``) answers a writer whether a number is
held anywhere in the bank (409 ``phone_taken``): the secret issue of a create, and a change's
filing and its check before a Save. Asked at will that is an oracle over every customer's
phone number, and its refusal rows are capped (``AUDIT_PER_MINUTE``), so a flood of probes
would go mostly unrecorded. Each check that asks about a number (a new number, the rule on)
is counted here first: over the hub's ``phone_checks_per_minute`` for this employee it is
refused, 429 ``phone_checks_throttled`` with ``retry_after``, nothing looked up nor done,
and the first refusal of each minute is recorded in the audit (never the number). A check
the hub could not run (DCM unreadable: 503) is given back: not the employee's doing.

The count lives in the database (``phone_lookups``, one row per employee): every hub process
shares it. A fixed window from an employee's first check: at most twice the limit can pass
across a window's edge, which still bounds a probe to a few dozen numbers a minute.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from . import audit
from .contract import Error
from .db import dialect_insert, metadata, now
from .errors import HubError

log = logging.getLogger("teller_hub.phones")
CODE = "phone_checks_throttled"
WINDOW_S = 60

phone_lookups = sa.Table(
    "phone_lookups", metadata,
    sa.Column("actor", sa.String(254), primary_key=True),  # the employee's e-mail
    sa.Column("window_start", sa.BigInteger, nullable=False),
    sa.Column("lookups", sa.Integer, nullable=False),
    sa.Column("noted", sa.Boolean, nullable=False),  # this window's refusal is in the audit
)


class PhoneChecksThrottled(HubError):
    """Over the limit: 429 ``phone_checks_throttled``; ``retry_after`` seconds until this
    employee's next check is heard."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "too many phone number checks in a minute: nothing was done; "
                         f"try again in {retry_after} s", CODE, {"retry_after": retry_after})
        self.retry_after = retry_after


THROTTLED_DOC = {"model": Error,
                 "description": "Too many phone number checks by this employee in a minute: "
                 "nothing was done; wait Retry-After seconds (code phone_checks_throttled)",
                 "headers": {"Retry-After": {"description": "Seconds until the next check is "
                                             "heard", "schema": {"type": "integer"}}}}


@dataclass(frozen=True)
class Charge:
    actor: str
    window_start: int


async def charge(engine: AsyncEngine, limit: int, refused: audit.Entry) -> Charge:
    """Count one check of ``refused.actor``'s, or raise ``PhoneChecksThrottled`` (then not
    counted). ``refused``: the audit row of a refusal, recorded for the first of a window
    only. One upsert and its read in one transaction: PostgreSQL's row lock (SQLite's write
    lock) makes parallel checks count one after another, so a burst passes ``limit`` at most."""
    actor, t = refused.actor, now()
    table = phone_lookups
    stale = table.c.window_start <= t - WINDOW_S
    async with engine.begin() as conn:
        insert = dialect_insert(conn, table).values(actor=actor, window_start=t, lookups=1,
                                                    noted=False)
        await conn.execute(insert.on_conflict_do_update(
            index_elements=[table.c.actor],
            set_={"window_start": sa.case((stale, t), else_=table.c.window_start),
                  "lookups": sa.case((stale, 1), else_=table.c.lookups + 1),
                  "noted": sa.case((stale, sa.false()), else_=table.c.noted)}))
        row = (await conn.execute(sa.select(table).where(table.c.actor == actor))).one()
        if int(row.lookups) <= limit:
            return Charge(actor, int(row.window_start))
        await conn.execute(table.update().where(table.c.actor == actor).values(
            lookups=table.c.lookups - 1, noted=True))
        if not row.noted:  # the window's first refusal: in the same transaction
            await audit.append(conn, refused)
    retry_after = max(1, int(row.window_start) + WINDOW_S - t)
    log.info("phone checks throttled", extra={"retry_after": retry_after})
    raise PhoneChecksThrottled(retry_after)


async def give_back(engine: AsyncEngine, charged: Charge) -> None:
    """Uncount a check that could not run (its window only: a new one starts afresh)."""
    table = phone_lookups
    async with engine.begin() as conn:
        await conn.execute(table.update().where(
            table.c.actor == charged.actor, table.c.window_start == charged.window_start,
            table.c.lookups > 0).values(lookups=table.c.lookups - 1))


@contextlib.asynccontextmanager
async def counted(engine: AsyncEngine, limit: int, refused: audit.Entry, *,
                  again: bool = False) -> AsyncIterator[None]:
    """A phone check inside, counted (``charge``); given back when it fails with the hub's
    own trouble (5xx: DCM could not be read), which is not the employee's doing.
    ``again``: the same check this employee had counted moments ago (``secret_reissue``):
    it tells nothing new, so it is not counted."""
    if again:
        yield
        return
    charged = await charge(engine, limit, refused)
    try:
        yield
    except HubError as exc:
        if exc.status >= 500:
            await give_back(engine, charged)
        raise
