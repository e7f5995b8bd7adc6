"""Settling a cash confirm whose outcome is not known, by reading (never by re-sending).

A confirm whose answer was lost may still be applied by the platform seconds later (a slow
DCM), so one CREATED read right after it says nothing (``ConfirmInDoubt``). ``recheck`` reads
the payment again after each of a few growing delays: CONFIRMED gives the reconciled receipt
(counted in the till, best-effort); still CREATED (or unreadable, or in a status the desk
does not know: ``status_raw``) after the last read stays ``ConfirmInDoubt``, which says when
a read last returned CREATED (``draft_read_at``): a platform that answered no read says
nothing of the payment, not even "still a draft". FAILED
(§5.2 [A]) is final: ``ConfirmFailed``, never confirmed. Meanwhile the draft is neither
voided nor made again at the desk.

After a supervisor's approval the hub confirms; when the hub says that failed (or its answer
is in doubt), ``read_approved`` reads the payment before anyone says "refused": the hub's
confirm may have gone through after all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import replace

from teller_app.core.cash import (
    CashKind,
    CashReceipt,
    CashService,
    ConfirmFailed,
    ConfirmInDoubt,
    receipt_of,
)
from teller_app.platform.errors import PlatformError
from teller_app.platform.models import PaymentStatus

# Seconds before each read: about 30 s in all, longer than the desk's 10 s write deadline.
RECHECK_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)


async def recheck(service: CashService, payment_guid: str,
                  delays: Sequence[float] = RECHECK_DELAYS) -> CashReceipt:
    """Read the payment after each delay until it reads CONFIRMED (the reconciled receipt,
    counted; never raises from there). FAILED: ``ConfirmFailed`` (final). Still CREATED,
    unreadable or in a status the client does not know after the last read:
    ``ConfirmInDoubt`` (its cause: the last read's error or status, if any; its
    ``draft_read_at``: when a read last returned CREATED, None if none did or a later one
    showed another status; its ``status_raw``: that unknown status, when the last answered
    read showed one). An unknown status never says "not confirmed": it may still be."""
    cause: BaseException = RuntimeError("the payment is still a draft")
    draft_read_at: float | None = None
    unknown = ""  # the status the last answered read showed, when the desk does not know it
    due = time.monotonic()
    for delay in delays:
        due += delay
        # each read at its due time or later: an event loop's timer may fire a little early
        while (left := due - time.monotonic()) > 0:
            await asyncio.sleep(left)
        asked = time.monotonic()  # a read (retried, maybe) shows the payment at or after this
        try:
            payment = await service.client.get_payment(payment_guid, with_stellar_info=True)
        except PlatformError as exc:  # unknown still: the next read may answer
            cause, unknown = exc, ""
            continue
        if payment.status is PaymentStatus.CONFIRMED:
            await _categories(service)
            receipt = replace(receipt_of(payment, service.kind_of(payment)), reconciled=True)
            return await service.counted(receipt)
        if payment.status is PaymentStatus.FAILED:
            raise ConfirmFailed(payment_guid)
        if payment.status is not PaymentStatus.CREATED:
            # a status the desk does not know: no longer read as a draft, not confirmed
            # either; the next read may settle it
            unknown = payment.status_raw or str(payment.status)
            cause = RuntimeError(f"the payment is {unknown}")
            draft_read_at = None
            continue
        unknown = ""
        cause = RuntimeError("the payment is still a draft")
        draft_read_at = asked
    raise ConfirmInDoubt(payment_guid, cause, draft_read_at=draft_read_at, status_raw=unknown)


async def read_approved(service: CashService, payment_guid: str) -> CashReceipt | None:
    """The hub said its confirm of an approved draft failed or is in doubt: the payment as
    DCM has it. CONFIRMED: the receipt, counted (the hub's confirm went through after all);
    FAILED: ``ConfirmFailed`` (refused for good); a status the desk does not know:
    ``ConfirmInDoubt`` (not known, never "refused"); CREATED: None (it did not, as far as
    DCM shows now). Never confirms."""
    await _categories(service)
    payment = await service.client.get_payment(payment_guid, with_stellar_info=True)
    if payment.status is PaymentStatus.FAILED:
        raise ConfirmFailed(payment_guid)
    if payment.status is PaymentStatus.UNKNOWN:
        raise ConfirmInDoubt(payment_guid, RuntimeError(f"the payment is {payment.status_raw}"),
                             status_raw=payment.status_raw)
    if payment.status is not PaymentStatus.CONFIRMED:
        return None
    return await service.counted(receipt_of(payment, service.kind_of(payment)))


async def _categories(service: CashService) -> None:
    """The categories, to name a receipt's kind (cached by the service; best-effort)."""
    with contextlib.suppress(PlatformError):
        await service.category_guid(CashKind.DEPOSIT)
