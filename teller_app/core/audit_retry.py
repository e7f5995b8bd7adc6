"""Quarantined audit entries get another chance (``core.audit_refused`` quarantines them).

An entry the hub refused, also reduced, is kept in the outbox. The refusal may have been the
hub's (a check of its version, a limit since raised): once that hub is upgraded the entry
would be stranded, and the bank's trail would lack it. So each is tried again, in its reduced
form under the id that form always has (``reduced_client_id``: the hub stores it once however
often it is sent), when it is due:

- the hub now answering is not the one that refused it (its version, ``/api/v1/version``,
  read once per sign-in and only when something is due to be tried), or
- it was last refused at least ``RETRY_EVERY_S`` ago (a fix that did not change the version).

Tries happen at an employee's first flush after signing in (or taking over the desk) and
then once every ``RETRY_EVERY_S`` of a long session (``AuditTrail``); each sends at most
``RETRY_AT_MOST`` entries, one per request (the oldest refusals first), only the signed-in
employee's own (the hub names the actor from the session). Taken: the entry is released
(on the hub, no longer counted as waiting). Refused again: it stays quarantined with the new
refusal and the hub that made it, so it is not tried again before it is due. Any other
failure stops the try; nothing changes.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from teller_app.core.audit_owners import sendable_by
from teller_app.core.audit_refused import (
    Held,
    Identity,
    Send,
    reduced_client_id,
    refused,
    taken,
)
from teller_app.platform import PlatformError

if TYPE_CHECKING:
    from teller_app.core.audit import AuditOutbox

log = logging.getLogger(__name__)
RETRY_EVERY_S = 24 * 3600
RETRY_AT_MOST = 20
AFTER_FAILURE_S = 600  # a try the hub did not answer is made again this much later
STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class HeldRetry:
    """A trail's retries for one sender (a sign-in): the first flush tries what is due, then
    once every ``RETRY_EVERY_S``; the hub's version is read once, when first needed."""

    hub_id: Identity | None = None
    _hub: str | None = field(default=None, repr=False)
    _tried: float | None = field(default=None, repr=False)  # monotonic

    async def hub(self) -> str:
        if self._hub is None:
            found = await self.hub_id() if self.hub_id is not None else ""
            if not found:  # not read this time: "" for now, asked again at the next try
                return ""
            self._hub = found
        return self._hub

    async def run(self, outbox: AuditOutbox, send: Send, owner: str | None) -> int:
        """Try what is due; a failure (the hub down, a 429) is logged and tried again
        after ``AFTER_FAILURE_S``: the trail's own flush is not failed by it."""
        now = time.monotonic()
        if self._tried is not None and now - self._tried < RETRY_EVERY_S:
            return 0
        try:
            went = await retry_held(outbox, send, owner, self.hub)
        except PlatformError as exc:
            log.warning("quarantined audit entries not tried again now: %s",
                        type(exc).__name__)
            self._tried = now - RETRY_EVERY_S + AFTER_FAILURE_S
            return 0
        self._tried = now
        return went


def due(held: Held, hub: str, now: float) -> bool:
    """Is ``held`` to be tried again with the hub ``hub`` ("" when it did not say)?"""
    if hub and held.hub != hub:  # another hub than the one that refused it (an upgrade)
        return True
    try:
        refused_at = calendar.timegm(time.strptime(held.at, STAMP))
    except ValueError:  # a record without a time: tried (then it has one)
        return True
    return now - refused_at >= RETRY_EVERY_S


async def retry_held(outbox: AuditOutbox, send: Send, owner: str | None,
                     identity: Identity) -> int:
    """Try ``owner``'s quarantined entries that are due (at most ``RETRY_AT_MOST``). Returns
    how many the hub took; raises what is not a refusal (the rest wait as they were)."""
    mine = [h for h in await asyncio.to_thread(outbox.quarantined)
            if sendable_by(h.entry, owner)]
    if not mine:
        return 0
    hub, now = await identity(), time.time()
    chosen = sorted((h for h in mine if due(h, hub, now)), key=lambda h: h.at)
    went = 0
    for held in chosen[:RETRY_AT_MOST]:
        if await _try(outbox, send, held, hub):
            went += 1
    return went


async def _try(outbox: AuditOutbox, send: Send, held: Held, hub: str) -> bool:
    original = held.entry.client_id
    again = replace(held.entry, client_id=reduced_client_id(original))
    try:
        await send([again.wire()])
    except PlatformError as exc:
        if refused(exc):
            await asyncio.to_thread(outbox.requarantine, held, exc.message, hub)
            log.warning("a quarantined audit entry was refused again and stays in the outbox "
                        "(client_id %s): %s", original, exc.message)
            return False
        if not taken(exc):  # 409 client_id_taken: its reduced form is on the hub already
            raise
    await asyncio.to_thread(outbox.release, [original])
    log.warning("a quarantined audit entry is on the hub now (client_id %s as %s)",
                original, again.client_id)
    return True
