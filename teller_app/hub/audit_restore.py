"""A database restored from a backup, said in the audit chain itself.

After a restore the chain ends where the backup did: it no longer reaches the last head IT
archived, exactly as after a cut or a rewrite, and ``export-head --previous`` refuses it.
``teller-hub audit mark-restored --last-head FILE`` appends one hub entry (``policy`` on
``audit_chain``, ``event`` "restored") naming that head (seq, hash) and the head the restored
chain had, by whom on which host. ``export-head --previous`` with that same file then
accepts the chain, because such an entry is in it; the chain's own hash walk is unchanged,
and a restore nobody marked is still refused. The entry is what an auditor reads: the
entries after the archived head's backup point were lost, and who said so.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit
from .fe_tables import audit_log

ENTITY = "audit_chain"
EVENT = "restored"


async def mark(engine: AsyncEngine, last_head: tuple[int, str], *, actor: str,
               last_head_date: str | None = None) -> tuple[dict[str, Any], str]:
    """(the marker entry, "" or why nothing was written): refused while the chain itself
    does not verify, or still reaches ``last_head`` (nothing was lost: not a restore)."""
    whole = await audit.verify(engine)
    if not whole.ok:
        return {}, f"the restored chain itself does not verify: {whole.problem}"
    against = await audit.verify(engine, last_head)
    if against.ok:
        return {}, (f"the chain still reaches that head (seq {last_head[0]}): nothing was "
                    "lost, so there is no restore to mark")
    detail = {"event": EVENT, "last_head_seq": last_head[0], "last_head_hash": last_head[1],
              "last_head_date": last_head_date, "restored_head_seq": whole.head_seq,
              "restored_head_hash": whole.head_hash}
    async with engine.begin() as conn:
        await audit.lock_chain(conn)
        found = await _markers(conn, last_head)
        if found:  # marked before: that entry is the answer, not a second one
            return audit.row_out(found[0]), ""
        seq, _ = await audit.append(conn, audit.Entry(
            actor=actor, action="policy", entity=ENTITY, detail=detail))
        # printed as a repeated run prints it (the stored row), so a script reads one shape
        row = (await conn.execute(sa.select(audit_log).where(audit_log.c.seq == seq))).one()
    return audit.row_out(row), ""


async def marker_for(engine: AsyncEngine, last_head: tuple[int, str]) -> int | None:
    """The seq of the hub's first entry marking a restore that lost ``last_head``, if any."""
    async with engine.connect() as conn:
        found = await _markers(conn, last_head)
    return int(found[0].seq) if found else None


async def _markers(conn: AsyncConnection, last_head: tuple[int, str]) -> list[Any]:
    """The hub's own marker entries for ``last_head`` (a desk cannot write ``policy``)."""
    query = sa.select(audit_log).where(
        audit_log.c.desk_id == audit.HUB, audit_log.c.action == "policy",
        audit_log.c.entity == ENTITY)
    rows = (await conn.execute(query.order_by(audit_log.c.seq))).all()
    return [r for r in rows if _names(json.loads(r.detail), last_head)]


def _names(detail: Any, last_head: tuple[int, str]) -> bool:
    return isinstance(detail, dict) and (
        detail.get("event"), detail.get("last_head_seq"), detail.get("last_head_hash")) == (
        EVENT, last_head[0], last_head[1])
