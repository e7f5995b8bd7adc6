"""Detective control for Mode A cash: a teller's own DCM session may create a cash draft and
confirm it on the platform directly (payments POST), never asking ``/cash/authorize``; then
no till counts it and ``check_supervised`` never runs. This watcher reads the payments DCM
shows CONFIRMED (technical account, incremental by ``updated_at_min``), keeps the cash ones
(told by their accounts, whatever the category: ``cash_kind``) and raises an
``alert.unapproved_cash`` for each that went past the hub (``cash_commands.unsupervised``):
never authorized, over the threshold or the cumulative limits with no approved command,
voided at the hub; and for cash no till may take (``not_through_till``: a "02" / "04" that
did not move money through the customer's branch processing account, for cash the hub
authorized the branch it authorized it in: a customer moved since is no bypass;
``other_currency``: not in the till's currency), authorized or not. Payments the hub
confirmed itself (approved commands) or authorized have rows that explain them.

And for cash, authorized or not, whose customer's status stops cash (``customer_blocked``:
the policy's ``sensitive_statuses``, as ``/cash/authorize``, an approved request's confirm and
the Mode-B proxy refuse it): a draft the hub allowed before the block and a desk confirmed on
DCM after it, never asking the hub again, gave a blocked customer cash. The status is DCM's
when the pass reads it, seconds after the confirm: a block set in between reads the same, and
the alert (with the ``customer_status`` read) is the supervisor's to judge; a detective
control reports what it cannot rule out. Except for a draft the hub's own execution of an
approved ``cash_confirm`` confirmed, its answer received (``cash_commands.hub_confirmed``:
the command ended "applied", as the database says, whichever process ran it): the
executor read the status right before its confirm (``execute_cash.check_before_confirm``)
and it did not stop cash, so a block read now came afterwards; neither ``customer_blocked`` nor
``customer_status_unknown`` is reported for it (its other reasons are). A draft a desk
confirmed on DCM itself is judged on the status read, as is one whose request is still
executing or was interrupted, or was found confirmed on DCM ("already on DCM", "found on DCM
when resuming", "found on DCM after no answer", an in-doubt confirm settled later): the
confirm DCM applied may be a desk's.
``is_disabled`` is not a reason: DCM itself refuses a disabled customer's payments, so a
confirmed one was disabled afterwards. Each customer is read once per pass
(``cash_watch_status``). A status that cannot be read never holds back the payment's other
reasons: they are reported at once with ``customer_status_unknown``. A
payment with nothing else to report is examined again by later passes (the cursor waits for
it) and reported "status unknown" once its status stayed unreadable for the patience
(``TELLER_HUB_CASH_STATUS_PATIENCE_S``, 300 s): a DCM blip raises nothing, and no confirmed
cash goes unexamined. A payment whose category or accounts DCM does not answer is held the
same way while the pass goes on with the others (one payment DCM cannot answer never stops
the watching): read again by later passes, and reported ``cash_kind_unknown`` once it stayed
unreadable for the same patience (whether it is cash is not known: a person looks).

One process of N works (the ``cash_watcher`` lease row, which keeps the cursor). The first
run starts at its own clock: payments confirmed before the watcher ever ran are not
examined (no flood of alerts over a bank's history). The list's filters are checked on every
row (``payment_matches``): a server that does not know a filter's name (§3.8 names none of
them) answers every payment, and only the ones CONFIRMED since the cursor are examined.
DCM orders payments by creation, not by update: a draft confirmed while a pass pages joins
the list at its creation's place, maybe on a page already read. Rows only ever join that
list (CONFIRMED stays CONFIRMED, ``updated_at`` only grows), so a pass that saw fewer
payments than the list's last total missed one and reads the list again (``MAX_SCANS``);
the cursor also trails the newest ``updated_at`` seen by ``OVERLAP_S`` plus the pass's
length, and a payment seen twice is alerted once (the alert check runs under the alert
locks).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from teller_app.platform import PlatformClient, PlatformError
from teller_app.platform.models import Payment, PaymentStatus
from teller_app.platform.payment_filters import PaymentFilters, payment_matches

from . import policy
from .cash_commands import (
    alert_unsupervised,
    authorization_of,
    hub_confirmed,
    lock_alerts,
    unsupervised,
)
from .cash_customer import CUSTOMER_BLOCKED
from .cash_kind import NOT_THROUGH_TILL, CashShape, classify, might_be_cash
from .cash_limits import category_code
from .cash_watch_status import KIND_UNKNOWN, STATUS_UNKNOWN, PassStatuses, Unread
from .code_level import CodeLevel
from .errors import HubError
from .execute import Reader
from .state import HubState
from .till_money import to_minor
from .watcher import Leased

log = logging.getLogger("teller_hub.cash_watcher")
LEASE = "cash_watcher"
PAGE = 500
MAX_SCANS = 3  # reads of the list in one pass while rows joined it behind the offset
MAX_SETTLED = 100_000
AMOUNT_PRECISION = "amount_precision"


def overlap_s() -> float:
    """How far behind the newest ``updated_at`` seen the next pass starts: covers DCM
    transactions that commit out of timestamp order (and a little clock skew)."""
    try:
        return max(0.0, float(os.environ.get("TELLER_HUB_CASH_WATCH_OVERLAP_S", "120")))
    except ValueError:
        return 120.0


class CashWatcher(Leased):
    lease_name = LEASE

    def __init__(self, state: HubState, reader: Reader, level: CodeLevel | None = None) -> None:
        super().__init__(state, reader, level)
        # payments this process already settled (fine, or alerted): the overlap re-reads
        # them every pass; they need no DCM account read and no lock again
        self.settled: set[str] = set()
        self.unread = Unread()  # held back for their customer's status
        self.kind_unread = Unread()  # held back for their category or accounts
        self.page = PAGE

    async def tick(self) -> int:
        """One pass; returns the number of alerts raised (0 when not the leader)."""
        cursor = await self._lease()
        if cursor is False:
            return 0
        started = time.monotonic()
        if cursor:
            since = datetime.fromisoformat(str(cursor))
        else:  # the first run ever: from now on (kept at once, whatever this pass does)
            since = datetime.now(UTC)
            await self._save_cursor(since.isoformat())
        client = await self.reader.client()
        pol = (await policy.load(self.state.engine))[0]
        statuses = PassStatuses(client, pol.sensitive_statuses)
        self.unread.new_pass()
        self.kind_unread.new_pass()
        wanted = PaymentFilters(statuses=[PaymentStatus.CONFIRMED.value], updated_at_min=since)
        newest: datetime | None = None
        raised = 0
        seen: set[str] = set()  # every row listed, matching or not
        for _scan in range(MAX_SCANS):
            offset, total = 0, 0
            while True:
                try:
                    page = await client.list_payments(wanted, order="asc", offset=offset,
                                                      limit=self.page)
                except PlatformError as exc:
                    log.warning("cash watcher read failed",
                                extra={"error": type(exc).__name__})
                    return raised
                for payment in page.payments:
                    seen.add(payment.guid)
                    if not payment_matches(payment, wanted):
                        continue  # the server ignored a filter: not ours to examine
                    raised += await self._check(client, payment, pol.cash_currency,
                                                statuses)
                    if payment.updated_at is not None and (
                            newest is None or payment.updated_at > newest):
                        newest = payment.updated_at
                offset += len(page.payments)
                total = page.total
                if not page.payments or offset >= page.total:
                    break
                if await self._lease() is False:  # a long pass: keep the lease, or stop
                    return raised
            if len(seen) >= total:  # nothing joined behind the offset
                break
        nxt = since
        if newest is not None:
            lag = timedelta(seconds=overlap_s() + time.monotonic() - started)
            nxt = max(since, newest - lag)
        for held in (self.unread.hold, self.kind_unread.hold):
            if held is not None:  # the next pass reads the held payments again
                nxt = max(since, min(nxt, held))
        await self._save_cursor(nxt.isoformat())
        # what the next pass can see again is at most what this one saw
        self.settled &= seen
        self.unread.keep_only(seen)
        self.kind_unread.keep_only(seen)
        return raised

    async def _check(self, client: PlatformClient, payment: Payment, currency: str,
                     statuses: PassStatuses) -> int:
        guid = payment.guid
        if not guid or guid in self.settled or payment.status is not PaymentStatus.CONFIRMED:
            return 0
        try:
            code = await category_code(client, payment)
            shape = await classify(client, payment, code, currency) if might_be_cash(
                payment, code) else None
        except PlatformError as exc:  # one payment DCM cannot answer never ends the pass
            log.warning("cash watcher: a payment's category or accounts unread",
                        extra={"error": type(exc).__name__})
            return await self._kind_unread(payment)
        if shape is None or not shape.kind:
            self._settle(guid)
            return 0
        amount_minor, precise = _amount_minor(payment)
        if not precise:  # more places than kopiyky: no till's cash, and shown cut to them
            shape = CashShape(shape.kind, (*shape.problems, AMOUNT_PRECISION),
                              shape.customer_guid, shape.branch_guid)
        # read before the alert locks: a DCM read never holds them
        extra, status = await statuses.reasons(shape.customer_guid)
        engine = self.state.engine
        async with engine.connect() as conn:
            due = await _due(conn, guid, amount_minor, shape, extra)
        if due is None:
            self._settle(guid)
            return 0
        if self._waits(due, payment):
            return 0
        creator = (payment.model_extra or {}).get("created_by")
        async with engine.begin() as conn:
            # the locks first (on SQLite a write): the check and the alert are one serialised
            # step. The check above only spares the lock for supervised cash; taken again
            # here, as an approval or void may have been recorded during the DCM read.
            await lock_alerts(conn)
            due = await _due(conn, guid, amount_minor, shape, extra)
            if due is not None and self._waits(due, payment):
                return 0
            alert_id = None if due is None else await alert_unsupervised(
                conn, due, guid, amount_minor, shape.customer_guid, kind=shape.kind,
                branch_guid=shape.branch_guid,
                created_by=creator if isinstance(creator, str) else "",
                customer_status=status if CUSTOMER_BLOCKED in due[1] else None)
        self._settle(guid)
        if alert_id is None:
            return 0
        log.info("unapproved cash", extra={"alert_id": alert_id})
        return 1

    async def _kind_unread(self, payment: Payment) -> int:
        """Its category or accounts unread: whether it is cash is not known. A later pass
        reads it again (the cursor waits for it) until the patience is over; then it is
        reported ``cash_kind_unknown`` (with what the hub's own rows tell, when it authorized
        it as cash), so a person looks: a payment DCM keeps failing never stays silent."""
        guid = payment.guid
        if not self.kind_unread.waited_out(guid):
            self.kind_unread.held(payment.updated_at)
            return 0
        amount_minor, precise = _amount_minor(payment)
        creator = (payment.model_extra or {}).get("created_by")
        async with self.state.engine.begin() as conn:
            await lock_alerts(conn)
            found = await unsupervised(conn, guid, amount_minor)
            row = found[0] if found else await authorization_of(conn, guid)
            # "not_authorized" is said of cash: for a payment the hub never saw, unknown
            known = found[1] if found and row is not None else []
            reasons = [*([] if precise else [AMOUNT_PRECISION]), *known, KIND_UNKNOWN]
            alert_id = await alert_unsupervised(
                conn, (row, reasons), guid, amount_minor,
                str(row.customer_guid) if row is not None else "",
                created_by=creator if isinstance(creator, str) else "")
        self._settle(guid)
        if alert_id is None:
            return 0
        log.info("unapproved cash", extra={"alert_id": alert_id})
        return 1

    def _waits(self, due: tuple[Any, list[str]], payment: Payment) -> bool:
        """Only the customer's status is in doubt: a later pass reads it again, until the
        patience is over (then it is reported "status unknown")."""
        if due[1] != [STATUS_UNKNOWN] or self.unread.waited_out(payment.guid):
            return False
        self.unread.held(payment.updated_at)
        return True

    def _settle(self, guid: str) -> None:
        self.unread.done(guid)
        self.kind_unread.done(guid)
        if len(self.settled) >= MAX_SETTLED:
            self.settled.clear()
        self.settled.add(guid)


def _amount_minor(payment: Payment) -> tuple[int, bool]:
    """The amount in kopiyky, and whether it had no more places than that (else cut)."""
    try:
        return to_minor(payment.amount), True
    except HubError:
        return int((payment.amount * 100).to_integral_value(rounding=ROUND_DOWN)), False


async def _due(conn: AsyncConnection, guid: str, amount_minor: int, shape: CashShape,
               status_reasons: list[str]) -> tuple[Any, list[str]] | None:
    """What to report of a confirmed cash payment: ``unsupervised``'s finding, and cash no
    till may take or whose customer's status stops cash (or could not be read), whether the
    hub authorized it or not (the cash's problems first, the status's last; the alert names
    the teller who authorized it, if one did). The status's reasons are dropped for a draft
    the hub's own execution confirmed (``hub_confirmed``): it checked the status itself."""
    found = await unsupervised(conn, guid, amount_minor)
    if status_reasons and await hub_confirmed(conn, guid, amount_minor):
        status_reasons = []  # the hub read the status itself right before its confirm
    problems = shape.problems
    if NOT_THROUGH_TILL in problems:
        problems = _where_authorized(shape, await authorization_of(conn, guid))
    if not problems and not status_reasons:
        return found
    row = found[0] if found else await authorization_of(conn, guid)
    return row, [*problems, *(found[1] if found else []), *status_reasons]


def _where_authorized(shape: CashShape, auth: Any) -> tuple[str, ...]:
    """The cash's problems, ``not_through_till`` judged in the branch the hub authorized it
    in (``auth``: its ``cash_authorizations`` row) when the customer has moved since: the
    authorization found it cash through that branch's till (``/cash/authorize`` takes no
    other), a draft's accounts and category never change on DCM, and the till counts it by
    that authorization (``till_authorized``). A head-office edit moving the customer after
    the payment does not make the till's cash "unapproved". Cash the hub never authorized,
    or authorized for another customer or kind, is judged as DCM shows it now."""
    if auth is None or str(auth.customer_guid) != shape.customer_guid or \
            str(auth.kind) != shape.kind or \
            (auth.branch_guid or None) == (shape.branch_guid or None):
        return shape.problems
    return tuple(p for p in shape.problems if p != NOT_THROUGH_TILL)
