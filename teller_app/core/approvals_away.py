"""Outcomes decided while the maker's desk was closed: told at the next sign-in, once.

The live feed starts at the hub's newest event, so a request approved or rejected overnight
would never reach its maker. The desk keeps one mark per hub and employee: the id of the
newest event up to which that employee's own outcomes were delivered. When the feed first
connects it reads the hub's events after the mark up to the stream's start (``/events/list``,
the same events the stream carries, so the desk tells them exactly as it tells live ones),
delivers the employee's own outcomes, and moves the mark to the start; every own outcome
delivered live moves it too. A second start finds nothing new. (Events the hub has pruned
cannot be told.)

The mark lives in the OS keyring (private to the OS account, one entry per hub and
employee, the name a hash: no e-mail in it); without a keyring it lasts this process only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import partial
from typing import Protocol

from teller_app.core.session import HubLink
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import EventList, HubEvent
from teller_app.secrets import SecretStore

log = logging.getLogger(__name__)
OWN_OUTCOMES = frozenset({"request.approved", "request.rejected", "request.applied",
                          "request.failed", "request.interrupted"})
PAGE = 500  # the hub's largest /events/list page
MARKS_STORE = "approval-outcomes"  # the keyring store (``Teller/approval-outcomes``)


class OutcomeMarks(Protocol):
    """Where the desk keeps, per hub and employee, the newest event id told."""

    async def load(self, hub_url: str, email: str) -> int | None: ...

    async def save(self, hub_url: str, email: str, event_id: int) -> None: ...


class KeyringMarks:
    def __init__(self, store: SecretStore | None = None) -> None:
        self._store = store

    async def _opened(self) -> SecretStore:
        if self._store is None:
            self._store = await SecretStore.open(MARKS_STORE)
        return self._store

    @staticmethod
    def entry(hub_url: str, email: str) -> str:
        digest = hashlib.sha256(f"{hub_url.rstrip('/')}\n{email.lower()}".encode())
        return f"seen:{digest.hexdigest()[:32]}"

    async def load(self, hub_url: str, email: str) -> int | None:
        raw = await (await self._opened()).get(self.entry(hub_url, email))
        try:
            return int(raw) if raw else None
        except ValueError:
            return None  # unreadable: as if never signed in here

    async def save(self, hub_url: str, email: str, event_id: int) -> None:
        await (await self._opened()).set(self.entry(hub_url, email), str(int(event_id)))


_shared: KeyringMarks | None = None


def shared_marks() -> KeyringMarks:
    """One store per process: opened once (and, without a keyring, kept for the process)."""
    global _shared
    if _shared is None:
        _shared = KeyringMarks()
    return _shared


def is_own_outcome(event: HubEvent, email: str) -> bool:
    return event.kind in OWN_OUTCOMES and (event.maker or "").lower() == email


async def own_email(link: HubLink) -> str:
    """Who is signed in on the hub (the e-mail the hub names makers by)."""
    session = link.hub.session
    if session is not None:
        return session.employee.email.lower()
    return (await link.call(HubClient.me)).email.lower()


async def tell_missed(link: HubLink, marks: OutcomeMarks, email: str, start_id: int,
                      deliver: Callable[[HubEvent], None]) -> int:
    """Deliver the employee's own outcomes after their mark, up to ``start_id`` (the
    stream's first id), then mark ``start_id``. Returns how many were delivered. No mark
    yet (the first sign-in on this computer): nothing is told, the mark is set."""
    hub_url = link.hub.base_url
    mark = await marks.load(hub_url, email)
    told = 0
    after = mark if mark is not None and mark < start_id else start_id  # past it: a restore
    while after < start_id:
        page: EventList = await link.call(partial(_events_after, after=after))
        for event in page.events:
            if event.id > start_id:
                break
            if is_own_outcome(event, email):
                deliver(event)
                told += 1
        if not page.events or page.events[-1].id <= after:
            break
        after = min(page.events[-1].id, start_id)
        # what this page told is never told again, even if a later page cannot be read
        # (the feed then reconnects and starts from here)
        await marks.save(hub_url, email, after)
    await marks.save(hub_url, email, start_id)
    if told:
        log.info("told %d decision(s) made while this desk was closed", told)
    return told


async def _events_after(hub: HubClient, *, after: int) -> EventList:
    return await hub.events_after(after, PAGE)
