"""Live four-eyes notifications: the hub's SSE stream, kept open.

``EventFeed.run(deliver)`` connects to ``GET /api/v1/events``, hands every event to
``deliver`` in order, and on any break reconnects with exponential backoff (0.5 s … 15 s,
jittered), resuming with ``Last-Event-ID`` so nothing is missed or repeated (events whose id
was already delivered are dropped; a hub whose ids restarted says so in its "ready" event).
A 401 renews the hub session once per break. No polling. On the first connect the
employee's own outcomes decided while their desk was closed are delivered first, as the
same events (``approvals_away``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from teller_app.core.approvals_away import (
    OutcomeMarks,
    is_own_outcome,
    own_email,
    shared_marks,
    tell_missed,
)
from teller_app.core.session import HubLink
from teller_app.platform import AuthError, PlatformError
from teller_app.platform.hub_models import HubEvent

log = logging.getLogger(__name__)
Deliver = Callable[[HubEvent], None]
StateChanged = Callable[[bool], None]  # connected or not
Sleep = Callable[[float], Awaitable[None]]
MIN_BACKOFF = 0.5
MAX_BACKOFF = 15.0


class EventFeed:
    def __init__(self, link: HubLink, *, sleep: Sleep | None = None,
                 marks: OutcomeMarks | None = None) -> None:
        self.link = link
        self.last_id: int | None = None  # the newest delivered (or "ready") event id
        self.marks: OutcomeMarks = marks or shared_marks()
        self._email: str | None = None  # whose own outcomes move the mark (once caught up)
        self.connected = False
        self.reconnects = 0
        self._sleep: Sleep = sleep or asyncio.sleep
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True

    async def run(self, deliver: Deliver, on_state: StateChanged | None = None) -> None:
        """Until cancelled or ``stop()``: stream, deliver, reconnect."""
        backoff = MIN_BACKOFF
        while not self._stopped:
            used: str | None = None
            try:
                await self.link.connect()
                used = self.link.hub.token
                # closed here on a stop or a cancel in the loop's body, not left to the
                # garbage collector (which closes its response outside any task: errors)
                async with contextlib.aclosing(
                        self.link.hub.stream_events(self.last_id)) as events:
                    async for event in events:
                        if await self._take(event, deliver, on_state):
                            backoff = MIN_BACKOFF
                        if self._stopped:
                            return
            except asyncio.CancelledError:
                self._set(False, on_state)
                raise
            except AuthError:
                log.info("event stream: hub session expired, renewing")
                try:
                    await self.link.connect(force=True, stale=used)
                except PlatformError as exc:
                    log.info("event stream: renewing failed (%s)", type(exc).__name__)
            except PlatformError as exc:
                log.info("event stream broke (%s); reconnecting", type(exc).__name__)
            except Exception:  # never let the feed die on a surprise: log, back off, retry
                log.exception("event stream failed; reconnecting")
            self._set(False, on_state)
            if self._stopped:
                return
            self.reconnects += 1
            await self._sleep(random.uniform(backoff / 2, backoff))
            backoff = min(MAX_BACKOFF, backoff * 2)

    async def _take(self, event: HubEvent, deliver: Deliver,
                    on_state: StateChanged | None) -> bool:
        """One event of the stream; True for its "ready" (the stream is live)."""
        if event.kind == "ready":
            self._set(True, on_state)
            if self.last_id is None:
                # the first connect: what was decided while the desk was closed first (a
                # failure here reconnects and tries again)
                email = await own_email(self.link)
                await tell_missed(self.link, self.marks, email, event.id, deliver)
                self._email = email
            # start at "now"; a "now" below what was delivered means the hub's database was
            # replaced (a restore) and its ids restarted: follow it, or every new event
            # would be dropped as seen
            if self.last_id is None or event.id < self.last_id:
                self.last_id = event.id
            return True
        if self.last_id is not None and event.id <= self.last_id:
            return False  # already delivered before the reconnect
        self.last_id = event.id
        deliver(event)
        if self._email is not None and is_own_outcome(event, self._email):
            # told live: the next sign-in must not tell it again
            await self.marks.save(self.link.hub.base_url, self._email, event.id)
        return False

    def _set(self, connected: bool, on_state: StateChanged | None) -> None:
        if connected != self.connected:
            self.connected = connected
            if on_state is not None:
                on_state(connected)
