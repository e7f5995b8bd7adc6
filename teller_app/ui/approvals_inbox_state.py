"""What the approvals inbox remembers between reads and events (no Qt):

* which requests it has already announced (banner, beep, tray), so every request is
  announced once, whether it arrived live or by a (re)load; an approved request the hub
  could not apply is announced again, as what it now is;
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
    return {"pending": PENDING_RANK, "approved": APPROVED_RANK}.get(request.state, ENDED_RANK)


class InboxMemory:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._moved: dict[str, tuple[int, float]] = {}  # request id -> (rank, when told)
        self._announced: set[tuple[str, str]] = set()  # (request id, state) announced

    def note_event(self, event: HubEvent) -> None:
        """Remember how far an event says its request moved (never backwards)."""
        rank = EVENT_RANKS.get(event.kind)
        if rank is None or not event.request_id:
            return
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
        new = [r for r in requests if (r.id, r.state) not in self._announced]
        self._announced.update((r.id, r.state) for r in new)
        return new

    def keep_announced(self, listed_ids: Iterable[str]) -> None:
        """Forget requests no longer listed (a request never comes back to a state)."""
        ids = set(listed_ids)
        self._announced = {key for key in self._announced if key[0] in ids}

    def _forget_old(self, now: float) -> None:
        old = [rid for rid, (_rank, when) in self._moved.items()
               if now - when > REMEMBER_SECONDS]
        for rid in old:
            del self._moved[rid]
