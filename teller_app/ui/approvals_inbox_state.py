"""What the approvals inbox remembers between reads and events (no Qt):

* which requests it has already announced (banner, beep, tray), so every request is
  announced once, whether it arrived live or by a (re)load; an approved request the hub
  could not apply is announced again, as what it now is; a state an event moved it past
  is forgotten (the memory does not grow with the day's requests);
* how far each request is known to have moved (from the hub's events), for a short while: a
  read answered before a decision, but delivered after that decision's event, must not bring
  the decided row back."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from teller_app.platform.hub_models import ChangeRequest, HubEvent

# How far a request has moved; a row read at a lower rank than an event told is stale.
PENDING_RANK, APPROVED_RANK, ENDED_RANK = 0, 1, 2
EVENT_RANKS = {
    "request.approved": APPROVED_RANK, "request.interrupted": APPROVED_RANK,
    "request.rejected": ENDED_RANK, "request.withdrawn": ENDED_RANK,
    "request.applied": ENDED_RANK, "request.failed": ENDED_RANK,
}
REMEMBER_SECONDS = 600.0  # far longer than any read of the hub (bounded by its timeouts)


def row_rank(request: ChangeRequest) -> int:
    return _state_rank(request.state)


def _state_rank(state: str) -> int:
    return {"pending": PENDING_RANK, "approved": APPROVED_RANK}.get(state, ENDED_RANK)


class InboxMemory:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._moved: dict[str, tuple[int, float]] = {}  # request id -> (rank, when told)
        # request id -> the states it was announced in; a state the request left (an event
        # said so) is forgotten then: a day of requests filed and decided without a reload
        # kept every one of them
        self._announced: dict[str, set[str]] = {}

    def note_event(self, event: HubEvent) -> None:
        """Remember how far an event says its request moved (never backwards)."""
        rank = EVENT_RANKS.get(event.kind)
        if rank is None or not event.request_id:
            return
        self._left(event.request_id, rank)
        now = self._clock()
        self._forget_old(now)
        known = self._moved.get(event.request_id)
        if known is None or known[0] <= rank:
            self._moved[event.request_id] = (rank, now)

    def is_stale(self, request: ChangeRequest) -> bool:
        """Read before an event this inbox already applied moved the request further."""
        known = self._moved.get(request.id)
        return known is not None and row_rank(request) < known[0]

    def fresh(self, requests: Iterable[ChangeRequest]) -> list[ChangeRequest]:
        self._forget_old(self._clock())
        return [r for r in requests if not self.is_stale(r)]

    def to_announce(self, requests: Iterable[ChangeRequest]) -> list[ChangeRequest]:
        """Those not announced before in their current state; marked announced now."""
        new = [r for r in requests if r.state not in self._announced.get(r.id, ())]
        for r in new:
            self._announced.setdefault(r.id, set()).add(r.state)
        return new

    def keep_announced(self, listed_ids: Iterable[str]) -> None:
        """Forget requests no longer listed (a request never comes back to a state)."""
        ids = set(listed_ids)
        self._announced = {rid: states for rid, states in self._announced.items()
                           if rid in ids}

    def _left(self, request_id: str, rank: int) -> None:
        """An event moved the request to ``rank``: the states below it are never listed
        again (a read from before is stale: ``is_stale``), so their announcements go; an
        ended request's all go. Its row leaves the list with that event (or left it at a
        decision made here, whose event follows)."""
        states = self._announced.get(request_id)
        if states is None:
            return
        if rank >= ENDED_RANK:
            del self._announced[request_id]
            return
        states.difference_update(s for s in list(states) if _state_rank(s) < rank)
        if not states:
            del self._announced[request_id]

    def _forget_old(self, now: float) -> None:
        old = [rid for rid, (_rank, when) in self._moved.items()
               if now - when > REMEMBER_SECONDS]
        for rid in old:
            del self._moved[rid]
