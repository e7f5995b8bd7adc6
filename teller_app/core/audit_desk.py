"""The desk's audit recorder: ``record`` (sync, never blocks) → outbox (in order, off the
event loop thread) → the hub (flushed in order; retried with backoff while the hub is down).

The outbox key comes from the OS keyring (``audit.outbox_key``). The hub names the actor from
the session that sends, so entries go out with the session that recorded them: each is
stamped with the employee signed in when it was recorded (``employee``, else the e-mail the
link's session signed in with), and a flush sends only that employee's own (``AuditTrail``).
A switch of employee (``switch``) is two steps: at once (sync) what is recorded from then on
is the newcomer's; then what the leaving one recorded goes with their session (a slow hub may
hold that a whole HTTP timeout: the newcomer's entries wait in the outbox meanwhile), and only
then does the newcomer's session send. Another employee's entries left in the outbox (the hub
was down) go when that employee signs in on this profile again.

An entry the outbox cannot take (a full disk, an outbox that cannot be opened) is not dropped:
it is kept in memory, in order (later entries queue behind it), written again at each turn of
the worker (retried with backoff), and meanwhile sent straight to the hub when it is reachable
(``AuditTrail.send_unwritten``; its ``client_id`` lets the hub keep it once). ``unwritten``
counts them; ``on_failure`` tells each entry that could not be written, ``on_written`` that
none is left (all in the outbox or on the hub). Only a close with some still kept loses them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from teller_app.core.audit import (
    AuditOutbox,
    AuditTrail,
    OutboxEntry,
    make_entry,
    outbox_path,
    owner_of,
)
from teller_app.core.session import HubLink, read_hub_version
from teller_app.platform import PlatformError

log = logging.getLogger(__name__)
KeySource = Callable[[str], Awaitable[bytes]]
RETRY_MIN_S = 2.0
RETRY_MAX_S = 60.0
CLOSE_WAIT_S = 5.0  # a closing desk waits this long for what was recorded to be written
CLOSE_WRITE_S = 5.0  # then this long for the outbox writes the close does itself
# the desk_id of the hub's own rows: the hub refuses a desk that sends it (any case or width)
HUB_DESK_ID = "hub"


def desk_id_for(hostname: str) -> str:
    """A desk's id in the hub's trail: its computer's name, unless that reads as the hub's
    own ("hub", "HUB"): every entry of such a desk would be refused and quarantined."""
    name = hostname[:64]
    if unicodedata.normalize("NFKC", name).strip().casefold() == HUB_DESK_ID:
        return f"{name}-desk"
    return name


class DeskAudit:
    def __init__(self, profile_name: str, link: HubLink | None, desk_id: str = "", *,
                 key_source: KeySource | None = None, base: Path | None = None,
                 employee: str | None = None) -> None:
        """``employee``: the signed-in employee's e-mail (by default the one ``link``'s
        session signed in with; without either, entries name no one)."""
        from teller_app.core.audit import outbox_key

        self.profile_name = profile_name
        self.link = link
        self.owner = _owner(link, employee)  # who records now (stamped on each entry)
        self._sending_owner = self.owner  # whose entries the link's session sends
        self._handing_over: asyncio.Task[None] | None = None  # the last switch's hand-over
        self._hand_overs: set[asyncio.Task[None]] = set()  # every one not finished yet
        self._closed = False  # after ``aclose`` no worker, retry or flush turn starts
        self.desk_id = desk_id
        self.path = outbox_path(profile_name, base)
        self._key_source: KeySource = key_source or outbox_key
        self._trail: AuditTrail | None = None
        self._queue: asyncio.Queue[OutboxEntry | None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None  # the worker's outbox append
        self._retry: asyncio.Task[None] | None = None
        self._backoff = RETRY_MIN_S
        # recorded, but neither in the outbox nor (known to be) on the hub: in order
        self._unwritten: list[OutboxEntry] = []
        self._failed = False  # one of them could not be written (``on_written`` is due)
        self.failures = 0  # entries that could not be written when recorded (each is kept)
        self.on_failure: Callable[[], None] | None = None  # each such entry (on the loop)
        self.on_written: Callable[[], None] | None = None  # none such left (on the loop)

    @property
    def unwritten(self) -> int:
        """Entries recorded but neither in the outbox nor on the hub yet (kept in memory and
        tried again): a close now would lose them."""
        return len(self._unwritten)

    # -- API ----------------------------------------------------------------------------
    def record(self, action: str, *, as_employee: str | None = None,
               **details: Any) -> OutboxEntry:
        """``as_employee``: the e-mail of whose action it is when that is not the employee
        signed in now (a leaving employee's write answered after a switch at the lock
        screen): their entry, sent with their session (at their next sign-in here)."""
        owner = owner_of(as_employee) if as_employee else self.owner
        entry = replace(make_entry(action, **details), owner=owner)
        if self._closed:  # no worker any more: straight into the outbox, sent next start
            if self._trail is None:
                log.warning("an audit entry recorded after close was not written")
            else:
                self._trail.outbox.append(entry)
            return entry
        self._ensure_worker()
        assert self._queue is not None
        self._queue.put_nowait(entry)
        return entry

    async def drain(self) -> None:
        """Wait until every recorded entry is in the outbox (or kept: ``unwritten``) and one
        flush was tried (after ``aclose``: nothing is waited for, no worker runs)."""
        self._ensure_worker()
        if self._queue is not None and not self._closed:
            await self._queue.join()

    async def flush(self) -> int:
        """Send the outbox's entries, then those it could not take (in the order recorded);
        returns how many went."""
        trail = await self._get_trail()
        try:
            sent = await self._flush_outbox(trail)
            sent += await self._send_unwritten(trail)
        except PlatformError as exc:
            trail.last_error = type(exc).__name__
            self._schedule_retry()
            return 0
        if self._unwritten:  # written, or sent, at a later turn
            self._schedule_retry()
        else:
            self._backoff = RETRY_MIN_S
        return sent

    def switch(self, link: HubLink | None, employee: str | None = None) -> asyncio.Task[None]:
        """Another employee takes over the desk. From now on (sync: before they can act) what
        is recorded is theirs; the returned task sends what is queued with the leaving
        employee's session (theirs only), then hands sending over to ``link`` (the newcomer's
        entries recorded meanwhile go then). Switches hand over in the order they were made."""
        self.owner = _owner(link, employee)
        previous = self._handing_over
        task = asyncio.get_event_loop().create_task(
            self._hand_over(link, self.owner, previous))
        self._handing_over = task
        self._hand_overs.add(task)
        task.add_done_callback(self._hand_overs.discard)
        return task

    async def set_link(self, link: HubLink | None, employee: str | None = None) -> None:
        """``switch`` and wait for the hand-over (entries are the newcomer's once called)."""
        await self.switch(link, employee)

    async def _hand_over(self, link: HubLink | None, owner: str,
                         previous: asyncio.Task[None] | None) -> None:
        if previous is not None:  # its outcome is its own (asyncio.wait never raises it)
            await asyncio.wait([previous])
        # the leaving employee's entries go with their session; the newcomer's wait (a flush
        # sends only ``trail.owner``'s)
        await self.drain()
        if self._trail is not None:  # after a flush under way, never in the middle of one
            await self._trail.hand_over(owner, self._sender(link), _hub_identity(link))
        self.link = link
        self._sending_owner = owner
        self._ensure_worker()
        if self._queue is not None and not self._closed:
            self._queue.put_nowait(None)  # a flush turn: the newcomer's waiting entries go now

    async def aclose(self) -> None:
        """Wait (bounded) until what was recorded is in the outbox, then stop the worker;
        unsent entries stay in the outbox for the next start. Nothing recorded is lost: the
        entry the worker was writing is written, those still queued are written now; those
        the outbox still cannot take go to the hub if it can be reached (else they are lost,
        logged)."""
        if self._queue is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._queue.join(), CLOSE_WAIT_S)
        self._closed = True
        for task in (*self._hand_overs, self._worker, self._retry):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        try:  # bounded too: the window's close waits for this (a keyring that never answers)
            await asyncio.wait_for(self._write_rest(), CLOSE_WRITE_S)
        except TimeoutError:
            left = self._queue.qsize() if self._queue is not None else 0
            self.failures += 1
            log.error("audit entries not written at close: the outbox was not ready in time "
                      "(%d still queued)", left)

    async def _write_rest(self) -> None:
        """After the worker stopped: its write under way ends, the queued entries are
        written; what the outbox cannot take goes to the hub, else it is lost."""
        writing, self._writing = self._writing, None
        if writing is not None:  # shielded: it went on when the worker was cancelled
            await asyncio.wait([writing])  # it fails only by being cancelled (``_keep``)
        while self._queue is not None and not self._queue.empty():
            entry = self._queue.get_nowait()
            self._queue.task_done()
            if entry is not None:
                await self._keep(entry)
        if self._unwritten and self._trail is not None:
            try:  # the outbox's own entries wait for the next start
                await self._send_unwritten(self._trail)
            except Exception as exc:
                log.error("audit entries neither written nor sent at close: %s",
                          type(exc).__name__)
        if self._unwritten:
            log.error("%d audit entries were lost at close: the outbox could not take them and "
                      "the hub did not", len(self._unwritten))

    async def unsent(self) -> list[OutboxEntry]:
        """What waits in the outbox for the hub (after everything recorded got there)."""
        await self.drain()
        trail = await self._get_trail()
        return await asyncio.to_thread(trail.outbox.unsent)

    # -- internals ----------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue()
        if self._closed:
            return
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_event_loop().create_task(self._work())

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            entry = await self._queue.get()
            try:
                # shielded: a close cancelling the worker never cuts a write off. A flush
                # turn (None) tries the entries kept in memory again.
                self._writing = asyncio.ensure_future(self._keep(entry))
                await asyncio.shield(self._writing)
                if self._queue.empty():
                    await self.flush()
            except Exception:  # the desk keeps working; what was not sent goes later
                log.exception("audit entries not sent")
                self._schedule_retry()
            finally:
                self._queue.task_done()

    async def _keep(self, entry: OutboxEntry | None) -> None:
        """``entry`` into the outbox, after the entries kept in memory (in order). One the
        outbox cannot take is kept in memory, told (``on_failure``) and tried again."""
        if entry is not None:
            self._unwritten.append(entry)
        if not self._unwritten:
            return
        try:
            await self._write_unwritten()
        except Exception as exc:
            if entry is None:  # a retry: told when its entries were recorded
                log.warning("%d audit entries still not written: %s", len(self._unwritten),
                            type(exc).__name__)
                return
            self.failures += 1
            self._failed = True
            log.exception("audit entry not written (kept in memory and tried again; %d "
                          "waiting)", len(self._unwritten))
            self._tell(self.on_failure)
            self._schedule_retry()

    async def _write_unwritten(self) -> None:
        trail = await self._get_trail()
        while self._unwritten:
            entry = self._unwritten[0]
            await asyncio.to_thread(trail.outbox.append, entry)
            self._forget({entry.client_id})

    async def _flush_outbox(self, trail: AuditTrail) -> int:
        """The outbox's entries to the hub; one that cannot be read or marked (a full disk)
        holds back none of those kept in memory: they go after it, straight."""
        try:
            return await trail.flush()
        except OSError as exc:  # what went unmarked goes again: the hub keeps each once
            log.warning("the audit outbox could not be flushed: %s", type(exc).__name__)
            self._schedule_retry()
            return 0

    async def _send_unwritten(self, trail: AuditTrail) -> int:
        if not self._unwritten:
            return 0
        taken = await trail.send_unwritten(list(self._unwritten))
        self._forget(taken)
        return len(taken)

    def _forget(self, client_ids: set[str]) -> None:
        """These kept entries are in the outbox or on the hub now."""
        if not client_ids or not self._unwritten:
            return
        self._unwritten = [e for e in self._unwritten if e.client_id not in client_ids]
        if not self._unwritten and self._failed:
            self._failed = False
            log.info("the audit entries kept in memory are all written or sent")
            self._tell(self.on_written)

    def _tell(self, callback: Callable[[], None] | None) -> None:
        if callback is None:
            return
        try:
            callback()
        except Exception:  # the window told may be gone (a close): the audit goes on
            log.exception("the audit could not tell the window")

    async def _get_trail(self) -> AuditTrail:
        if self._trail is None:
            key = await self._key_source(self.profile_name)
            self._trail = AuditTrail(AuditOutbox(self.path, key), self._sender(self.link),
                                     owner=self._sending_owner,
                                     hub_id=_hub_identity(self.link))
        return self._trail

    def _sender(self, link: HubLink | None
                ) -> Callable[[list[dict[str, Any]]], Awaitable[Any]] | None:
        if link is None:
            return None
        desk_id = self.desk_id

        async def send(batch: list[dict[str, Any]]) -> Any:
            return await link.call(lambda hub: hub.append_audit(batch, desk_id))

        return send

    def _schedule_retry(self) -> None:
        if self._closed or (self._retry is not None and not self._retry.done()):
            return
        delay = self._backoff
        self._backoff = min(RETRY_MAX_S, self._backoff * 2)

        async def later() -> None:
            await asyncio.sleep(delay)
            self._ensure_worker()
            if self._queue is not None and not self._closed:
                self._queue.put_nowait(None)  # a flush-only turn of the worker

        self._retry = asyncio.get_event_loop().create_task(later())


def _hub_identity(link: HubLink | None) -> Callable[[], Awaitable[str]] | None:
    """The hub's version as ``link``'s hub says it ("" when it does not): a quarantined audit
    entry is tried again when the hub is another one (``core.audit_retry``)."""
    if link is None:
        return None

    async def identity() -> str:
        found = await read_hub_version(link.hub)
        return f"{found.hub} API {found.api}" if found is not None else ""

    return identity


def _owner(link: HubLink | None, employee: str | None) -> str:
    """Whose entries this desk records and sends: ``employee``, else the e-mail the link's
    platform session signed in with (every sign-in kind has one), else no one ("")."""
    if employee:
        return owner_of(employee)
    auth = getattr(link.client, "auth", None) if link is not None else None
    return owner_of(str(getattr(auth, "email", "") or ""))
