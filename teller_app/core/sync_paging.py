"""The sync's paging pieces (see ``core/sync.py``): the client it reads, the keyset position
after a page, the order check that sends a run to offset paging, and the two process-wide
settings a long run holds (GIL hand-over, frozen GC generations)."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from teller_app.cache.convert import canonical_ts
from teller_app.platform.models import AccountWithAssets
from teller_app.platform.models.customers import CustomerRecord, CustomerRecordPage


class SyncClient(Protocol):
    """What a sync reads through ``PlatformClient`` (tests stand in with an in-memory table).
    ``filters``: ``list_customers``' query filters (values of mixed types)."""

    async def list_customer_records(
        self, *, offload: Callable[..., Awaitable[object]] | None = None, **filters: Any
    ) -> CustomerRecordPage: ...

    async def get_customer_accounts(
        self, customer_guid: str, iban: str | None = None
    ) -> list[AccountWithAssets]: ...


class GuidSet:
    """The GUIDs a run saw, spread over 256 dicts (``str -> None``) by hash.
    - Dicts, not a set: CPython leaves a dict of ``str -> None`` untracked by the garbage
      collector, where a set is always tracked and every full collection walks each entry
      (1 000 000 GUIDs: ~85 ms with the GIL held).
    - 256 of them: one dict of 1 000 000 keys is rebuilt whole each time it doubles, one C
      call of up to ~50 ms with the GIL held near row 700 000; a shard never outgrows ~4 000.
    Both were UI stalls in a head-office sync (issue 12: max_stall_1m_ms)."""

    __slots__ = ("_shards",)
    SHARDS = 256

    def __init__(self) -> None:
        self._shards: list[dict[str, None]] = [{} for _ in range(self.SHARDS)]

    def __contains__(self, guid: object) -> bool:
        return guid in self._shards[hash(guid) & (self.SHARDS - 1)]

    def __len__(self) -> int:
        return sum(map(len, self._shards))

    def shards(self) -> list[dict[str, None]]:
        return self._shards

    def update(self, guids: Iterable[str]) -> None:
        shards, mask = self._shards, self.SHARDS - 1
        for guid in guids:
            shards[hash(guid) & mask][guid] = None

    def clear(self) -> None:
        """Empty it a shard at a time (run on the cache thread once a run is done): freeing
        1 000 000 GUID strings in one go is one C call of 20-60 ms with the GIL held, a UI
        stall at the very end of a head-office sync; a shard is ~4 000 of them."""
        for shard in self._shards:
            shard.clear()


class KeysetUnusable(Exception):
    """The rows cannot be paged by updated_at (wrong order, no timestamps, or fewer rows
    than promised): scan instead. ``unordered``: the server does not honour ``ordering``."""

    def __init__(self, why: str, *, unordered: bool = False) -> None:
        super().__init__(why)
        self.unordered = unordered


_SWITCH_INTERVAL = 0.001  # seconds; CPython's default is 0.005
_switch_users = 0
_saved_interval = 0.005


@contextlib.contextmanager
def gil_handover() -> Iterator[None]:
    """While a sync runs, the cache thread (decoding, validating, storing) asks the
    interpreter for the GIL all the time; the UI thread waits up to the switch interval each
    time it wants it back, several times per Qt event. 1 ms instead of 5 keeps those waits
    well inside a frame (issue 12: stalls during a sync). Process-wide, restored after the
    last concurrent run (sync or reconcile pass) ends."""
    global _switch_users, _saved_interval
    if _switch_users == 0:
        _saved_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(_SWITCH_INTERVAL, _saved_interval))
    _switch_users += 1
    try:
        yield
    finally:
        _switch_users -= 1
        if _switch_users == 0:
            sys.setswitchinterval(_saved_interval)


@contextlib.contextmanager
def gc_frozen() -> Iterator[None]:
    """A full sync (or reconcile pass) allocates ~100 000 short-lived rows; enough of them
    outlive the young generations to trigger several full garbage collections, each
    rescanning every long-lived object of the app (Qt wrappers, modules: 50-70 ms with the UI
    thread blocked). Frozen, those are skipped until the run ends; only collection of cycles
    among them is delayed, nothing is lost. (Not when something else froze objects, e.g. a
    concurrent run: our unfreeze would undo that.)"""
    frozen = gc.isenabled() and gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()


def advance_keyset(
    rows: list[CustomerRecord], cursor: str | None, skip: int,
    key: Callable[[CustomerRecord], datetime | None] | None = None,
) -> tuple[str | None, int]:
    """Keyset position after ``rows`` (sorted by ``key``, default updated_at): the last row's
    timestamp and how many rows at exactly that timestamp were read. Scans from the end: a
    few timestamp conversions per page instead of one per row."""
    if not rows:
        return cursor, skip
    key = key or updated_at_of
    if not key(rows[-1]):  # never "": an empty bound would mean "from the beginning"
        raise KeysetUnusable("a row without a usable timestamp")
    last = canonical_ts(key(rows[-1]))
    tail = 1
    for row in reversed(rows[:-1]):
        if canonical_ts(key(row)) != last:
            break
        tail += 1
    if tail == len(rows) and last == cursor:
        return cursor, skip + tail
    return last, tail


def check_order(rows: list[CustomerRecord], cursor: str | None) -> None:
    """A keyset page must come sorted by updated_at, from the cursor on."""
    previous = cursor or ""
    for row in rows:
        stamp = updated_at_of(row)
        if not stamp:
            raise KeysetUnusable("a row without a usable updated_at")
        text = canonical_ts(stamp)
        if text < previous:
            raise KeysetUnusable("rows not in updated_at order", unordered=True)
        previous = text


def updated_at_of(row: CustomerRecord) -> datetime | None:
    return row.get("updated_at")


def created_at_of(row: CustomerRecord) -> datetime | None:
    return row.get("created_at")


def record_guid(row: CustomerRecord) -> str:
    return str(row["wallet_user_guid"])
