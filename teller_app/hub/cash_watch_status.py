"""The cash watcher's reading of a customer's status: cash confirmed on DCM for a customer
whose status the bank's policy treats as blocked (``cash_customer.stops_cash``: the
``sensitive_statuses``, "blocked" and "closed" by default) is reported with the reason
``customer_blocked``, the code the hub's own cash path refuses it with (not for a draft the
hub's own execution confirmed after reading the status itself: ``cash_watcher``).

Each customer is read once per pass, with the hub's DCM reader, however many of their
payments the pass examines. A read that fails is remembered for the pass (not asked again)
and gives no verdict: the watcher then reports the payment's other reasons at once, with
``customer_status_unknown`` beside them, and holds a payment with no other reason back for
a later pass (``Unread``), reporting it "status unknown" only once the status stayed
unreadable for the patience: a DCM blip raises no alert, and no cash is left unexamined.
A payment whose category or accounts were unread is held the same way (its own ``Unread``)
and reported ``cash_kind_unknown`` after the same patience (``cash_watcher``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from datetime import datetime

from teller_app.platform import PlatformClient, PlatformError

from .cash_customer import CUSTOMER_BLOCKED, stops_cash

log = logging.getLogger("teller_hub.cash_watcher")
STATUS_UNKNOWN = "customer_status_unknown"
KIND_UNKNOWN = "cash_kind_unknown"  # a payment's category or accounts stayed unreadable
MAX_UNREAD = 10_000


def status_patience_s() -> float:
    """How long a payment waits for its customer's status to become readable before it is
    reported "status unknown" (and for its category and accounts: ``cash_kind_unknown``)."""
    try:
        return max(0.0, float(os.environ.get("TELLER_HUB_CASH_STATUS_PATIENCE_S", "300")))
    except ValueError:
        return 300.0


class PassStatuses:
    """The customers' statuses one pass read: each customer once."""

    def __init__(self, client: PlatformClient, sensitive_statuses: Iterable[str]) -> None:
        self.client = client
        self.blocked = frozenset(sensitive_statuses)
        self._read: dict[str, str | None] = {}  # None: the read failed in this pass

    async def status(self, customer_guid: str) -> str | None:
        """DCM's ``status`` of the customer now; None when it cannot be read."""
        if customer_guid not in self._read:
            try:
                found: str | None = (await self.client.get_customer(customer_guid)).status or ""
            except PlatformError as exc:  # NotFound too: no verdict either way
                log.warning("cash watcher: a customer's status unread",
                            extra={"error": type(exc).__name__})
                found = None
            self._read[customer_guid] = found
        return self._read[customer_guid]

    async def reasons(self, customer_guid: str) -> tuple[list[str], str | None]:
        """(the status's reasons to report, the status read): ``customer_blocked``, or
        ``customer_status_unknown`` when the read failed; none for a payment whose customer
        the accounts did not name (``not_through_till`` reports it)."""
        if not customer_guid:
            return [], None
        status = await self.status(customer_guid)
        if status is None:
            return [STATUS_UNKNOWN], None
        return ([CUSTOMER_BLOCKED] if stops_cash(status, self.blocked) else []), status


class Unread:
    """Payments held back for a later pass because something about them could not be read
    (their customer's status, with nothing else to report; or their category or accounts:
    the watcher keeps one ``Unread`` for each): since when (this process's clock), and the
    oldest ``updated_at`` among those a pass held, which the cursor must not pass."""

    def __init__(self) -> None:
        self.since: dict[str, float] = {}
        self.patience = status_patience_s()
        self.hold: datetime | None = None

    def new_pass(self) -> None:
        self.hold = None

    def waited_out(self, guid: str) -> bool:
        """Whether the payment waited the patience (its first wait starts now)."""
        if len(self.since) >= MAX_UNREAD:
            self.since.clear()
        first = self.since.setdefault(guid, time.monotonic())
        return time.monotonic() - first >= self.patience

    def held(self, updated_at: datetime | None) -> None:
        if updated_at is not None and (self.hold is None or updated_at < self.hold):
            self.hold = updated_at

    def done(self, guid: str) -> None:
        self.since.pop(guid, None)

    def keep_only(self, seen: set[str]) -> None:
        """What the next pass can see again is at most what this one saw."""
        self.since = {g: t for g, t in self.since.items() if g in seen}
