"""Over-threshold cash through the one four-eyes pipeline (issue 15).

When the hub says a draft needs a supervisor, the teller's desk files a ``cash_confirm``
request (a command row on the hub: the draft's GUID and DCM's amount, which the hub checks).
A supervisor approves it from their inbox or in place at the teller's desk; the hub then
confirms the payment on DCM itself and announces ``request.applied`` over its event stream.
The teller's desk settles on that event: it reads the payment (CONFIRMED gives the receipt)
and has the till count it. The hub's ``/cash/authorize`` never allows an over-threshold
confirm without an approved command, so the desk cannot skip this.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from teller_app.core.approvals import CASH_CONFIRM, ApprovalService
from teller_app.core.cash import (
    CashDraft,
    CashKind,
    CashReceipt,
    CashService,
    ConfirmInDoubt,
    ConfirmNotDone,
    confirmed_receipt,
    receipt_of,
)
from teller_app.platform.errors import PlatformError
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.platform.models import PaymentStatus

log = logging.getLogger(__name__)

# What a filed cash request's events mean to the teller's open dialog.
SETTLE_KINDS = frozenset({"request.applied"})
END_KINDS = frozenset({"request.rejected", "request.withdrawn", "request.failed"})


def cash_change(draft: CashDraft, branch_guid: str | None) -> dict[str, str]:
    """The request's change: the draft and its amount (the hub compares both with DCM)."""
    change = {"payment_guid": draft.payment_guid, "amount": format(draft.amount, "f")}
    if branch_guid:
        change["branch_guid"] = branch_guid
    return change


async def request_approval(approvals: ApprovalService, draft: CashDraft,
                           branch_guid: str | None, reason: str,
                           request_id: str | None = None) -> ChangeRequest:
    """File the draft for a supervisor (idempotent with ``request_id``: the hub answers a
    re-filing with the same id with the request it stored, so a retry after a lost answer or
    an error files nothing twice — pass the draft's one id each time: ``core/intent_id``)."""
    return await approvals.file_request(
        draft.customer_guid, cash_change(draft, branch_guid), reason, kind=CASH_CONFIRM,
        request_id=request_id or str(uuid.uuid4()))


def concerns(event: HubEvent, request: ChangeRequest | None) -> bool:
    return request is not None and event.request_id == request.id


async def settle_approved(service: CashService, payment_guid: str, *,
                          amount: Decimal | None = None,
                          kind: CashKind | None = None) -> CashReceipt:
    """After the supervisor's approval was applied: the hub confirmed on DCM, so read the
    payment (never confirm twice) and count it in the till (best-effort). A draft still
    CREATED (an approval whose execution is pending) is confirmed through the gate, which now
    allows it. The hub said "applied": when the payment cannot be read, the receipt comes
    without its body (``amount``/``kind``: the draft's), read later."""
    try:
        await service.category_guid(CashKind.DEPOSIT)  # the categories, to name the kind
        payment = await service.client.get_payment(payment_guid, with_stellar_info=True)
    except PlatformError as exc:
        log.warning("approved payment %s could not be read (%s)", payment_guid,
                    type(exc).__name__)
        return await service.counted(confirmed_receipt(payment_guid, amount, kind))
    if payment.status is PaymentStatus.CONFIRMED:
        return await service.counted(receipt_of(payment, service.kind_of(payment)))
    if payment.status is PaymentStatus.CREATED:
        return await service.confirm(payment_guid, amount=amount, kind=kind)
    cause = RuntimeError(f"the payment is {payment.status_raw}")
    if payment.status is PaymentStatus.UNKNOWN:  # an in-between status: not known, never
        raise ConfirmInDoubt(payment_guid, cause, status_raw=payment.status_raw)  # "not done"
    raise ConfirmNotDone(payment_guid, cause)
