"""Cash drafts DCM shows ``FAILED`` (§5.2 [A]: a confirm refused at confirm time, signing
refused; §7 #9). FAILED is final: DCM never confirms such a payment, so it is no cash the
till holds back (``till_holding``), keeps open (a close) or voids, and no confirm of it is
"still in doubt". DCM has it, not the hub: each process that reads a draft FAILED on DCM
records it here (revision 0007), and the till's figures leave it out from then on.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .db import dialect_insert, metadata, now

cash_failed = sa.Table(
    "cash_failed", metadata,
    sa.Column("payment_guid", sa.String(64), primary_key=True),
    sa.Column("read_at", sa.BigInteger, nullable=False),  # when the hub first read it FAILED
)


def failed_guids() -> sa.Select[tuple[str]]:
    """The drafts read FAILED (``is_failed`` asks it of some; the till and limit queries ask
    ``NOT EXISTS`` by key: ``till_holding.neither_voided_nor_failed``)."""
    return sa.select(cash_failed.c.payment_guid)


async def record_failed(conn: AsyncConnection, payment_guids: Iterable[str]) -> int:
    """Record drafts the caller just read FAILED on DCM (each once); how many were new."""
    added = 0
    for guid in dict.fromkeys(g for g in payment_guids if g):
        done = await conn.execute(dialect_insert(conn, cash_failed).values(
            payment_guid=guid, read_at=now()).on_conflict_do_nothing())
        added += done.rowcount
    return added


async def is_failed(conn: AsyncConnection, payment_guid: str) -> bool:
    return (await conn.execute(failed_guids().where(
        cash_failed.c.payment_guid == payment_guid))).first() is not None
