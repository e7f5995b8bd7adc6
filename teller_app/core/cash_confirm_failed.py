"""A cash confirm refused for good: the platform shows the payment FAILED (§5.2 [A], §7 #9;
the sandbox's ``confirm-failed-status``). Read back after a refusal, so the desk never offers
to confirm again, to void or to wait for a payment that can no longer move."""

from __future__ import annotations

from teller_app.core.cash_types import CashError
from teller_app.platform import PlatformClient
from teller_app.platform.errors import PlatformError
from teller_app.platform.models import PaymentStatus


class ConfirmFailed(CashError):
    """The platform shows the payment FAILED (§5.2 [A]: refused at confirm, or signing
    refused): final. It is never confirmed, so there is nothing to confirm again, to void or
    to wait for; a new draft is a new payment. ``cause``: the refusal that came with it (the
    platform's or the hub's), None when it was only read; ``detail``: words for it then."""

    def __init__(self, payment_guid: str, cause: BaseException | None = None,
                 detail: str = "") -> None:
        super().__init__("the payment failed on the platform: final, never confirmed",
                         "payment_failed")
        self.payment_guid = payment_guid
        self.cause = cause
        self.detail = detail


async def raise_if_failed(client: PlatformClient, payment_guid: str,
                          refusal: BaseException) -> None:
    """After a refused confirm: ``ConfirmFailed`` when the platform shows the payment
    FAILED (the refusal is final); else (or unreadable) the caller raises the refusal."""
    try:
        payment = await client.get_payment(payment_guid, with_stellar_info=False)
    except PlatformError:
        return
    if payment.status is PaymentStatus.FAILED:
        raise ConfirmFailed(payment_guid, refusal) from refusal
