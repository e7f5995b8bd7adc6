"""A customer whose status the bank treats as blocked gets no cash, in or out.

DCM keeps a customer's ``status`` as free text and ignores it (PLATFORM_API §3.2, §5.5: "not
used at the moment"); only ``is_disabled`` stops payments there. The bank's staff set
"blocked" or "closed" (the desk's "Blocking", under four eyes) and believe cash stops, so the
hub enforces it: every cash decision (``cash_limits.decide``: ``/cash/authorize``, its
preview, a ``cash_confirm`` filing) and the Mode-B proxy's confirm refuse cash for a customer
whose status is one of the policy's ``sensitive_statuses`` (compared after
``canon.normalise``, as the policy stores them), with the code ``customer_blocked``.

Both directions, as DCM does for ``is_disabled`` (a disabled customer's accounts neither send
nor receive): a blocked or closed relationship takes no deposit either, so nothing lands on
an account the bank has frozen.

Each refusal of an existing draft is in the hub's audit (the hub's own row: a desk that
skipped the refusal could not be trusted to report it), rate-limited like the other
refusals an outsider can repeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.platform import NotFound, PlatformClient, PlatformError, ValidationError

from . import audit
from .canon import normalise
from .errors import HubError

CUSTOMER_BLOCKED = "customer_blocked"
REFUSAL = "the customer's status stops cash at the bank (blocked or closed)"
AUDIT_PER_MINUTE = 30  # refusal rows an employee adds in a minute (a flood adds no more)


def stops_cash(status: str, sensitive_statuses: Iterable[str]) -> bool:
    """Whether a customer in ``status`` may have no cash (``sensitive_statuses``: the
    policy's, already normalised)."""
    word = normalise(status or "")
    return bool(word) and word in set(sensitive_statuses)


async def customer_status(client: PlatformClient, customer_guid: str) -> str:
    """The customer's ``status`` as DCM holds it now. Unreadable: 503 (the hub cannot
    decide, so nothing is allowed)."""
    try:
        return (await client.get_customer(customer_guid)).status or ""
    except (NotFound, ValidationError):
        raise HubError(503, "the cash's customer cannot be read on DCM") from None
    except PlatformError as exc:
        raise HubError(503, f"DCM cannot be read: {exc.message}") from None


async def audit_refusal(engine: AsyncEngine, *, actor: str, payment_guid: str,
                        customer_guid: str, status: str, kind: str, amount: str,
                        branch_guid: str | None, via: str, **extra: Any) -> None:
    """The hub's audit row of a cash refusal for the customer's status (``via``: where it
    was asked: ``authorize``, ``authorize_confirm``, ``cash_request``, ``dcm_proxy``)."""
    detail = {"event": "cash_refused", "refusal": CUSTOMER_BLOCKED, "via": via,
              "payment_guid": payment_guid, "customer_guid": customer_guid,
              "customer_status": status, "kind": kind, "amount": amount, **extra}
    await audit.record_limited(engine, audit.Entry(
        actor=actor, action="cash", entity=f"payment:{payment_guid}", branch_guid=branch_guid,
        detail=detail), cap=AUDIT_PER_MINUTE, cap_by="actor")
