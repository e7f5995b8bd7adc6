"""Live events of till work that waits for a supervisor (SSE, ``events.emit``).

``till.waiting`` (to the branch's supervisors): a vault transfer filed, an opening count or
a close waiting for a co-sign, a vault count waiting for a second supervisor.
``till.decided`` (to the branch's supervisors and to the teller the waiting event named): the
same data plus ``state`` (approved / rejected / cosigned) and ``checker``.

Each is emitted inside the transaction that changes the state, after its row locks (till,
transfer, vault) and before its audit entry: the hub's lock order (rows, then the EVENTS
lock, then the AUDIT lock) stays one, and an event shows only when its change committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from . import events
from .till_money import money

WAITING = "till.waiting"
DECIDED = "till.decided"


def transfer_data(tr: Any, till_code: str | None) -> dict[str, Any]:
    """A vault transfer (a ``till_transfers`` row) and its till's code."""
    return {"what": "transfer", "till_id": tr.till_id, "till_code": till_code,
            "teller": tr.requested_by, "transfer_id": tr.id, "direction": tr.direction,
            "amount": money(int(tr.amount_minor))}


def open_data(till: Any) -> dict[str, Any]:
    """A till (a ``tills`` row) whose opening count waits for a co-sign."""
    return {"what": "open_cosign", "till_id": till.id, "till_code": till.till_code,
            "teller": till.teller, "amount": money(int(till.open_minor))}


def close_data(till: Any) -> dict[str, Any]:
    """A till (a ``tills`` row holding the close's figures) whose close waits for a co-sign."""
    return {"what": "close_cosign", "till_id": till.id, "till_code": till.till_code,
            "teller": till.teller, "amount": money(int(till.close_minor)),
            "over_short": money(int(till.over_short_minor))}


def vault_count_data(count: Any) -> dict[str, Any]:
    """A vault count (a ``vault_counts`` row) waiting for a second supervisor: no till; the
    supervisor who counted stands as the "teller"."""
    return {"what": "vault_count", "till_id": None, "till_code": None,
            "teller": count.counted_by, "count_id": count.id,
            "amount": money(int(count.counted_minor))}


async def waiting(conn: AsyncConnection, data: dict[str, Any], branch: str | None) -> None:
    # the branch in the data too: head office's desk reads again only the position it shows
    await events.emit(conn, WAITING, {**data, "branch_guid": branch or None},
                      branch_guid=branch or None, to_supervisors=True)


async def decided(conn: AsyncConnection, data: dict[str, Any], branch: str | None, *,
                  state: str, checker: str) -> None:
    await events.emit(conn, DECIDED, {**data, "state": state, "checker": checker,
                                      "branch_guid": branch or None},
                      branch_guid=branch or None, to_supervisors=True, to_email=data["teller"])
