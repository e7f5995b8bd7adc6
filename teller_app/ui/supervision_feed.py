"""Supervision's live feed: one SSE stream of the hub's events per window (the session's hub
link; ``core/approvals_feed.EventFeed`` reconnects and resumes), handed to the Approvals
inbox, and the decisions on this employee's own requests told to them at once
(``supervision_notices``); till work waiting for a supervisor and its decisions go to
``till_live``. ``Supervision`` (ui/supervision.py) builds on it."""

from __future__ import annotations

import asyncio

from shiboken6 import isValid

from teller_app.core.approvals_feed import EventFeed
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.supervision_notices import SupervisionNotices
from teller_app.ui.till_live import TILL_KINDS, TillLive

OWN_DECISION_KINDS = frozenset({"request.approved", "request.rejected", "request.applied",
                                "request.failed", "request.interrupted"})
# A request filed, withdrawn or decided at any desk: the open cards of its customer read its
# pending requests again, and the customer too after an approval (it may have applied)
CARD_KINDS = OWN_DECISION_KINDS | {"request.filed", "request.withdrawn"}
APPROVED_KINDS = frozenset({"request.approved", "request.applied", "request.interrupted"})


class SupervisionFeed(SupervisionNotices):
    # set by Supervision.__init__
    inbox: ApprovalsInbox | None
    feed: EventFeed | None
    _feed_task: asyncio.Task[None] | None
    _feeds_ending: set[asyncio.Task[None]]  # stopped, still closing their streams
    till_live: TillLive | None = None  # the till events' notices (set by Supervision)

    # -- live events ----------------------------------------------------------------------
    def start_feed(self) -> None:
        """One SSE stream per window (the session's hub link); reconnects by itself."""
        self.stop_feed()
        link = self.session.hub
        if link is None:
            return
        self.feed = EventFeed(link)
        feed = self.feed
        loop = asyncio.get_event_loop()
        self._feed_task = loop.create_task(feed.run(self._on_event, self._on_feed_state))

    def stop_feed(self) -> asyncio.Task[None] | None:
        """Stop the stream; returns the task to await when the caller can (app exit)."""
        task = self._feed_task
        if self.feed is not None:
            self.feed.stop()
        if task is not None and not task.done():
            task.cancel()
            self._feeds_ending.add(task)
            task.add_done_callback(self._feeds_ending.discard)
        self.feed = None
        self._feed_task = None
        return task

    async def wait_feeds_ended(self, timeout: float = 5.0) -> None:
        """Until the stopped streams are closed (bounded): before the session they read
        closes and the loop ends, or the garbage collector ends them later, outside it."""
        if self._feeds_ending:
            await asyncio.wait(list(self._feeds_ending), timeout=timeout)

    def _on_feed_state(self, connected: bool) -> None:
        if not isValid(self):
            return
        inbox = self.inbox
        if inbox is not None and isValid(inbox):
            inbox.set_live(connected)

    def _on_event(self, event: HubEvent) -> None:
        if not isValid(self):
            return
        inbox = self.inbox
        if inbox is not None and isValid(inbox):
            inbox.on_event(event)
        if event.kind in TILL_KINDS:
            if self.till_live is not None:
                self.till_live.on_event(event)
            return
        mine = (event.maker or "").lower() == self.employee_email()
        if mine and event.kind in OWN_DECISION_KINDS | {"request.withdrawn"}:
            self._tell_maker(event)  # reads the customer's cards again too
        elif event.kind in CARD_KINDS and event.customer_guid:
            self.refresh_cards_of(event.customer_guid, data=event.kind in APPROVED_KINDS)
