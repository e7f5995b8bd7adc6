"""Detective side of "one customer per phone number" (``phone_holders``) for Mode A: a
supervisor's direct DCM edit, or a maker's edit the policy lets through, reaches DCM without
the hub seeing it, so two customers may end with one number. The watcher reads such changes
anyway; for each customer it reads whose number is new to it, this asks DCM who else holds
the number (``phone_holders.on_dcm``) and the watcher raises an alert (reason
``phone_duplicate``) naming the other customer, within the rule's scoping
(``phone_holders.named_in_branch``: only a holder of the alert's own branch is named).

Which numbers are judged: the snapshot keeps the number last judged (``MARK``), so a number
is judged once per customer, whatever passes follow. A number already there when the watcher
first saw the customer (its first sweep, a snapshot from before this check) predates the
control and is not judged; a customer first seen after a pass is judged when created since.
While ``unique_phone`` is off a new number is accepted as it is (not judged later).

Cost: at most ``CHECKS_PER_PASS`` look-ups a pass, within a third of the watcher's lease
(its ``deadline``), none more after DCM did not answer one; a look-up DCM refuses (an
answer about that number) leaves that number unjudged, logged, and the pass goes on. A
number not judged (no budget or time left, DCM did not answer) keeps its old mark and the
pass's cursor stays at that customer (``PhonePass.deferred_from``), so the next pass reads
it again; a point that has held the cursor for ``HOLD_PASSES`` passes is given up (logged
as an error), so the watcher's other work moves on."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from teller_app.platform.models import Customer
from teller_app.platform.phones import same_phone

from . import phone_holders
from .errors import HubError
from .phone_holders import Holder

if TYPE_CHECKING:
    from .dcm_reader import Reader

log = logging.getLogger("teller_hub.watcher")
REASON = "phone_duplicate"
HOLDER_FIELD = "phone_holder"  # the alert's fields: {"login", "wallet_user_guid"} or {}
MARK = "phone_judged"  # in a snapshot: the number last judged, as DCM wrote it
CHECKS_PER_PASS = 50
HOLD_PASSES = 30  # about 5 minutes at the default 10 s interval


@dataclass
class PhonePass:
    """One watcher pass's duplicate checks (``rule_on``: the policy's ``unique_phone``;
    ``since``: the pass's cursor, None on the first sweep)."""

    reader: Reader
    rule_on: bool
    since: datetime | None
    # look-ups stop here (monotonic): a page's checks end well inside the watcher's lease
    deadline: float = float("inf")
    budget: int = CHECKS_PER_PASS
    failed: bool = False
    deferred_from: datetime | None = None  # the earliest customer left for the next pass
    alerted: set[str] = field(default_factory=set)  # customers alerted in this pass

    async def judge(self, customer: Customer,
                    old: Mapping[str, Any] | None) -> tuple[str, Holder | None]:
        """(the mark the customer's snapshot keeps, another customer holding its number to
        alert on, or None)."""
        raw = customer.phone_number or ""
        judged = _judged_before(customer, old, self.since)
        if raw == judged or not raw.strip() or not self.rule_on:
            return raw, None
        if judged and same_phone(raw, judged):  # the same number written another way
            return raw, None
        if self.failed or self.budget <= 0 or time.monotonic() > self.deadline:
            return self._defer(customer, judged)
        self.budget -= 1
        try:
            holder = await phone_holders.on_dcm(self.reader, raw,
                                                customer_guid=customer.wallet_user_guid)
        except phone_holders.PhoneUnreadable as exc:
            if not exc.transient:  # DCM refused this look-up itself: a retry gains nothing
                log.warning("phone duplicate check: DCM refused the look-up; not judged",
                            extra={"customer_guid": customer.wallet_user_guid})
                return raw, None
            self.failed = True  # DCM did not answer: no more look-ups this pass
            return self._defer(customer, judged)
        except HubError:  # DCM not read (on_dcm logged it): this number waits for a pass
            self.failed = True
            return self._defer(customer, judged)
        if holder is None or holder.customer_guid in self.alerted:
            return raw, None  # nobody else, or the other side of a pair alerted just now
        self.alerted.add(customer.wallet_user_guid)
        return raw, holder

    def _defer(self, customer: Customer, judged: str) -> tuple[str, None]:
        stamp = customer.updated_at
        if stamp is not None and (self.deferred_from is None or stamp < self.deferred_from):
            self.deferred_from = stamp
        return judged, None


def _judged_before(customer: Customer, old: Mapping[str, Any] | None,
                   since: datetime | None) -> str:
    """The number judged last: the snapshot's mark; a snapshot without one (taken before
    this check), or a customer there before the watcher's last pass: the number it had
    then (a baseline, not judged); a customer created since: "" (nothing judged yet)."""
    if old is not None:
        return str(old.get(MARK, old.get("phone_number", customer.phone_number or "")))
    created = customer.created_at
    if since is None or created is None or created < since:
        return customer.phone_number or ""
    return ""


def detail(customer: Customer, holder: Holder) -> dict[str, Any]:
    """The alert's detail (the watcher's shape: login, fields, reasons); the number itself
    is not in it, the holder only as ``phone_holders.named_in_branch`` names them."""
    named = phone_holders.named_in_branch(holder, customer.branch_guid or None)
    return {"customer_guid": customer.wallet_user_guid, "login": customer.login,
            "fields": {HOLDER_FIELD: named}, "reasons": [REASON],
            "updated_at": customer.updated_at.isoformat() if customer.updated_at else None}


@dataclass
class CursorHold:
    """Where a pass's cursor stays for the numbers it left (``PhonePass.deferred_from``);
    one point held ``HOLD_PASSES`` times running is given up."""

    point: datetime | None = None
    passes: int = 0

    def cursor(self, newest: datetime | None, deferred_from: datetime | None) -> \
            datetime | None:
        if deferred_from is None or (newest is not None and deferred_from > newest):
            self.point, self.passes = None, 0
            return newest
        self.passes = self.passes + 1 if deferred_from == self.point else 1
        self.point = deferred_from
        if self.passes > HOLD_PASSES:
            log.error("phone duplicate checks given up", extra={"passes": self.passes})
            self.point, self.passes = None, 0
            return newest
        return deferred_from
