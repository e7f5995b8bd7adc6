"""Audit entries sent straight to the hub, not through the outbox: those the desk could not
write to it (a full disk), kept in memory meanwhile (``core.audit_desk``). Nothing is marked
(they are in no file). Each keeps its ``client_id``, so one the hub stored and that is later
written to the outbox after all (its answer was lost) is answered with the stored entry when
the outbox sends it: it lands once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teller_app.core.audit_refused import Send, refused, taken
from teller_app.platform import PlatformError

if TYPE_CHECKING:
    from teller_app.core.audit import OutboxEntry

BATCH = 200  # as the outbox's batches


async def send_straight(send: Send, entries: list[OutboxEntry]) -> set[str]:
    """Send ``entries`` in order, in batches; returns the client ids the hub has. A batch
    the hub refuses is sent by halves; an entry refused alone is left out (kept: once written
    to the outbox it goes reduced, or is quarantined, as any there). Any other failure is
    raised (the ones not sent are tried again later)."""
    taken_ids: set[str] = set()
    for start in range(0, len(entries), BATCH):
        taken_ids |= await _send(send, entries[start:start + BATCH])
    return taken_ids


async def _send(send: Send, batch: list[OutboxEntry]) -> set[str]:
    if not batch:
        return set()
    try:
        await send([e.wire() for e in batch])
    except PlatformError as exc:
        if not (refused(exc) or taken(exc)):
            raise
        if len(batch) == 1:
            return {batch[0].client_id} if taken(exc) else set()  # taken: on the hub
        half = len(batch) // 2
        return await _send(send, batch[:half]) | await _send(send, batch[half:])
    return {e.client_id for e in batch}
