"""Reading the hub's request list to its end, page by page.

The hub answers at most ``PAGE`` requests per call, newest first (``created_at`` in whole
seconds, then ``id``). The next page starts after the last row seen (``before`` = its
created_at, ``before_id`` = its id): a total order, so requests filed in the same second are
neither skipped nor repeated at a page boundary.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import ChangeRequest

T = TypeVar("T")
Call = Callable[[Callable[[HubClient], Awaitable[T]]], Awaitable[T]]
PAGE = 500  # the hub's largest page (``limit`` le=500)


async def all_requests(call: Call[list[ChangeRequest]], *, states: tuple[str, ...],
                       mine: bool = False, customer_guid: str | None = None,
                       page: int = PAGE) -> list[ChangeRequest]:
    """Every request the filters match, newest first; ``call`` runs one hub call (with the
    session's renewal and error translation)."""
    found: list[ChangeRequest] = []
    seen: set[str] = set()
    before: float | None = None
    before_id: str | None = None
    while True:
        rows = await call(partial(_page, states=states, mine=mine,
                                  customer_guid=customer_guid, limit=page, before=before,
                                  before_id=before_id))
        fresh = [r for r in rows if r.id not in seen]
        found.extend(fresh)
        seen.update(r.id for r in fresh)
        # a short page is the end; a page of nothing new too (a hub that ignores before_id
        # would otherwise answer the same rows for ever)
        if len(rows) < page or not fresh:
            return found
        before, before_id = rows[-1].created_at, rows[-1].id


def _page(hub: HubClient, **query: Any) -> Awaitable[list[ChangeRequest]]:
    return hub.list_requests(**query)
