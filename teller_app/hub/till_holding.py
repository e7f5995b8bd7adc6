"""What a till holds and what it can still pay out, in kopiyky (issue 15 item 6).

The expected position moves only with what the hub counted (``till_ops``). Cash already
promised is not there to pay a second time: a withdrawal authorized on the till at
``/cash/authorize`` and neither counted nor voided yet, and a transfer to the vault still
waiting for a supervisor, are set aside from what the till can pay. A draft authorized on the
till and not yet settled (counted or voided) also keeps the till from closing: once closed,
nothing would count it. A draft the hub read FAILED on DCM (``cash_failed``) is settled too:
DCM never confirms it, so it is neither held back nor waited for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .cash_failed import cash_failed
from .till_tables import cash_authorizations, cash_voids, till_ops, till_transfers, tills


async def expected_minor(conn: AsyncConnection, till_id: str) -> int:
    row = (await conn.execute(sa.select(tills.c.open_minor).where(tills.c.id == till_id))).one()
    moved = (await conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
        till_ops.c.delta_minor), 0)).where(till_ops.c.till_id == till_id))).scalar_one()
    return int(row.open_minor) + int(moved)


def neither_voided_nor_failed(payment_guid: sa.ColumnElement[str]) -> list[
        sa.ColumnElement[bool]]:
    """``payment_guid`` (a column of the outer query) has no void and was not read FAILED:
    ``NOT EXISTS`` by each table's key, one index probe a row. The same answers as
    ``NOT IN (SELECT payment_guid ...)``, which read both tables whole on every call: their
    ``payment_guid`` is their primary key, never NULL."""
    return [~sa.exists().where(cash_voids.c.payment_guid == payment_guid),
            ~sa.exists().where(cash_failed.c.payment_guid == payment_guid)]


def _unsettled(till_id: str) -> list[sa.ColumnElement[bool]]:
    """Authorizations on this till whose drafts are neither voided, nor FAILED on DCM, nor
    counted in any till: the till's rows by ``ix_cash_authorizations_till_id`` (revision
    0015), each asked ``NOT EXISTS`` by the other table's key (``till_ops.payment_guid`` is
    unique), not every payment ever voided, failed or counted (``NOT IN (SELECT ...)`` read the
    three tables whole on every call). The same answers: ``till_ops``' NULL payments
    (transfers) were left out of the ``NOT IN`` and never equal a payment here."""
    a = cash_authorizations.c
    return [a.till_id == till_id, *neither_voided_nor_failed(a.payment_guid),
            ~sa.exists().where(till_ops.c.payment_guid == a.payment_guid)]


async def outstanding(conn: AsyncConnection, till_id: str) -> Sequence[Any]:
    """The drafts authorized on this till, not voided, not FAILED and not yet counted
    (oldest first): rows of ``payment_guid``, ``kind``, ``amount_minor``."""
    a = cash_authorizations.c
    return (await conn.execute(sa.select(a.payment_guid, a.kind, a.amount_minor).where(
        *_unsettled(till_id)).order_by(a.created_at, a.payment_guid))).all()


async def set_aside_minor(conn: AsyncConnection, till_id: str, *, payment_guid: str = "",
                          transfer_id: str = "") -> int:
    """Cash the till has promised: unsettled withdrawals authorized on it (but
    ``payment_guid``, the one being decided) and pending transfers to the vault (but
    ``transfer_id``)."""
    a = cash_authorizations.c
    t = till_transfers.c
    withdrawals = (await conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
        a.amount_minor), 0)).where(*_unsettled(till_id), a.kind == "withdrawal",
                                  a.payment_guid != payment_guid))).scalar_one()
    to_vault = (await conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
        t.amount_minor), 0)).where(t.till_id == till_id, t.state == "pending",
                                  t.direction == "to_vault", t.id != transfer_id))).scalar_one()
    return int(withdrawals) + int(to_vault)


async def available_minor(conn: AsyncConnection, till_id: str, *, payment_guid: str = "",
                          transfer_id: str = "") -> int:
    """What the till can still pay out: what it holds less what it has promised."""
    return await expected_minor(conn, till_id) - await set_aside_minor(
        conn, till_id, payment_guid=payment_guid, transfer_id=transfer_id)
