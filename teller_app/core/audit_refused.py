"""Audit entries the hub refuses, so that one never holds back the outbox behind it.

The outbox sends in order and an entry stays first until the hub takes it, so an entry the
hub refuses for good (422: a detail over its cap written before the desk cut details, a
field or action an older hub does not know, any check a hub of another version makes; 413:
a body over the hub's or a proxy's limit) would hold back every later entry of that
employee for ever. ``deliver`` sends a batch;
when the hub refuses it, it sends the two halves (nothing of a refused batch is stored, and
every entry keeps its ``client_id``, so nothing lands twice) until the refused entry is
alone. That entry is sent once more as ``reduced``: action "other", the original as a
clipped JSON string under ``refused_entry`` and the hub's words under ``refusal``, with a
``client_id`` derived from the original's (a re-send after a lost answer or a crash is
answered with the stored entry). When even that is refused, the entry is quarantined: kept
in the outbox, marked, never sent with the others again (its reduced form: a few kilobytes
however large the original), counted by ``AuditOutbox.waiting`` (the profile's delete warning
says it), and logged. The record names the hub that refused it (its version): a quarantined
entry is tried again alone, bounded, when the hub has changed or a day has passed
(``core.audit_retry``), and leaves the quarantine once the hub takes it.

A batch refused with 409 ``client_id_taken`` is split the same way: an entry alone refused
so is already on the hub (another employee's session sent the very same entry), so it is
marked sent. Every other failure is raised as before: the entries wait for the next flush.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from teller_app.platform import Conflict, PlatformError, ValidationError

if TYPE_CHECKING:
    from teller_app.core.audit import AuditOutbox, OutboxEntry

log = logging.getLogger(__name__)
Send = Callable[[list[dict[str, Any]]], Awaitable[Any]]

DETAIL_BUDGET = 7 * 1024  # the hub refuses a detail over 8 KB of canonical JSON
LONG_TEXT = 500
REFUSED_KEY = "refused_entry"  # the reduced form's copy of the original (clipped JSON)
REFUSAL_KEY = "refusal"  # the hub's words refusing the original
REFUSED_CHARS = 800  # escaped as JSON, at most ~5 KB: under any hub's cap with the rest
REFUSAL_CHARS = 200
ENTITY_CHARS = 100
QUARANTINED = "quarantined"  # an outbox record's key: the entry held back (audit_retry)
RELEASED = "released"  # a record's key: a quarantined entry the hub took since (by its id)
Identity = Callable[[], Awaitable[str]]  # the hub's version ("" when it does not say)


@dataclass(frozen=True)
class Held:
    """A quarantined entry as its outbox record keeps it."""

    entry: OutboxEntry
    refusal: str
    at: str = ""  # when it was last refused (UTC, as ``desk_ts``)
    hub: str = ""  # which hub refused it (``Identity``; "" unknown)


def fit_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A detail the hub accepts (its size cap): long texts are cut first; then only short
    values stay. (An entry refused anyway goes reduced, see ``deliver``.)"""
    if _size(detail) <= DETAIL_BUDGET:
        return detail
    cut = {k: v[:LONG_TEXT] + "…" if isinstance(v, str) and len(v) > LONG_TEXT else v
           for k, v in detail.items()}
    cut["truncated"] = True
    if _size(cut) <= DETAIL_BUDGET:
        return cut
    short = {k: v for k, v in cut.items()
             if isinstance(v, int | float | bool) or (isinstance(v, str) and len(v) <= 100)}
    return {**short, "truncated": True}


def reduced_client_id(client_id: str) -> str:
    """The reduced form's id: fixed by the original's, in the hub's id alphabet."""
    digest = hashlib.sha256(("refused:" + client_id).encode("utf-8", "backslashreplace"))
    return "r" + digest.hexdigest()[:31]


def reduced(entry: OutboxEntry, refusal: str) -> OutboxEntry:
    """``entry`` in a form any hub accepts: action "other", the original kept as a clipped
    JSON string, the hub's refusal beside it; the same owner (never sent)."""
    original = {"client_id": entry.client_id, "action": entry.action, "entity": entry.entity,
                "desk_ts": entry.desk_ts, "detail": entry.detail}
    text = json.dumps(original, ensure_ascii=False, default=str)
    return replace(entry, client_id=reduced_client_id(entry.client_id), action="other",
                   entity=_clip(entry.entity, ENTITY_CHARS),
                   detail={REFUSED_KEY: _clip(text, REFUSED_CHARS),
                           REFUSAL_KEY: _clip(refusal, REFUSAL_CHARS)},
                   desk_ts=entry.desk_ts if len(entry.desk_ts) <= 40 else "")


def held_record(entry: OutboxEntry, refusal: str, hub: str = "") -> dict[str, Any]:
    """The outbox record of a quarantined entry (sealed like any line): its reduced form
    under its own ``client_id`` (that id keeps the original from being offered again). An
    entry refused for its size can be megabytes, and the record is carried in the outbox and
    in every sent mark for good: kept clipped, it stays a few kilobytes."""
    return held_again(replace(reduced(entry, refusal), client_id=entry.client_id), refusal,
                      hub)


def held_again(kept: OutboxEntry, refusal: str, hub: str) -> dict[str, Any]:
    """The record of a quarantined entry (``kept``: its reduced form under its own id), as
    refused now (``refusal``) by the hub ``hub``."""
    return {QUARANTINED: kept.stored(), REFUSAL_KEY: _clip(refusal, REFUSAL_CHARS),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "hub": _clip(hub, 100)}


async def deliver(outbox: AuditOutbox, send: Send, batch: list[OutboxEntry],
                  hub: Identity | None = None) -> int:
    """Send ``batch`` in order and mark what the hub took; a refused entry is found by
    halves and settled (``_settle``; ``hub`` names the hub in a quarantine record). Returns
    how many are on the hub (a quarantined one is not); raises any other failure (what is
    not marked waits for the next flush)."""
    try:
        await send([e.wire() for e in batch])
    except PlatformError as exc:
        if not (refused(exc) or taken(exc)):
            raise
        if len(batch) == 1:
            return await _settle(outbox, send, batch[0], exc, hub)
        half = len(batch) // 2
        return (await deliver(outbox, send, batch[:half], hub)
                + await deliver(outbox, send, batch[half:], hub))
    await asyncio.to_thread(outbox.mark_sent, [e.client_id for e in batch])
    return len(batch)


async def _settle(outbox: AuditOutbox, send: Send, entry: OutboxEntry,
                  exc: PlatformError, hub: Identity | None) -> int:
    """``entry``, refused alone: already on the hub (409 ``client_id_taken``), else sent
    reduced, else (that refused too) quarantined. Returns 1 when it is on the hub."""
    if taken(exc):
        log.info("an audit entry is on the hub already (client_id %s)", entry.client_id)
    else:
        try:
            await send([reduced(entry, exc.message).wire()])
        except PlatformError as again:
            if refused(again):
                which = await hub() if hub is not None else ""
                await asyncio.to_thread(outbox.quarantine, entry, exc.message, which)
                log.warning("an audit entry the hub refused, also reduced, is kept in the "
                            "outbox and never sent with the others, only tried again alone "
                            "later (%s, client_id %s): %s; reduced: %s",
                            entry.action, entry.client_id, exc.message, again.message)
                return 0
            if not taken(again):  # its reduced form is on the hub already: it went
                raise
        else:
            log.warning("an audit entry the hub refused went reduced (client_id %s as %s): "
                        "%s", entry.client_id, reduced_client_id(entry.client_id),
                        exc.message)
    await asyncio.to_thread(outbox.mark_sent, [entry.client_id])
    return 1


def refused(exc: PlatformError) -> bool:
    """The hub refused what was sent (400/422), or its size (413: an entry from before
    details were cut can be megabytes): sent again as it is, it always will be."""
    return isinstance(exc, ValidationError) or exc.status_code == 413


def taken(exc: PlatformError) -> bool:
    """An id already stored for another employee: the entry is on the hub."""
    return isinstance(exc, Conflict) and exc.reason == "client_id_taken"


def _size(detail: dict[str, Any]) -> int:
    return len(json.dumps(detail, ensure_ascii=False, separators=(",", ":"),
                          sort_keys=True).encode())


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, each one UTF-8 can carry (a lone surrogate read from an
    old line would make the hub refuse the detail as not plain JSON)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit - 1] + "…"
