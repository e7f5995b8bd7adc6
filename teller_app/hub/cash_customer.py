"""A customer whose status the bank treats as blocked gets no cash, in or out.

DCM keeps a customer's ``status`` as free text and ignores it (PLATFORM_API §3.2, §5.5: "not
used at the moment"); only ``is_disabled`` stops payments there. The bank's staff set
"blocked" or "closed" (the desk's "Blocking", under four eyes) and believe cash stops, so the
hub enforces it: every cash decision (``cash_limits.decide``: ``/cash/authorize``, its
preview, a ``cash_confirm`` filing), an approved request's confirm
(``execute_cash.check_before_confirm``) and the Mode-B proxy's confirm (``proxy_cash``) refuse
cash for a customer whose status is one of the policy's ``sensitive_statuses`` (compared by
``canon.status_key``: "Заблокований", "ЗАКРИТА" and "bl\\u043ecked" read as
"blocked" and "closed", as a colleague reading the card would), with the code
``customer_blocked``. Each
reads the customer once, with the draft it decides on (the proxy: the row its branch check
read).

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

import pydantic
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.platform import NotFound, PlatformClient, PlatformError, ValidationError
from teller_app.platform.models import Customer

from . import audit
from .canon import status_key, status_keys
from .dcm_unreadable import dcm_unreadable

CUSTOMER_BLOCKED = "customer_blocked"
REFUSAL = "the customer's status stops cash at the bank (blocked or closed)"
AUDIT_PER_MINUTE = 30  # refusal rows an employee adds in a minute (a flood adds no more)


def stops_cash(status: str, sensitive_statuses: Iterable[str]) -> bool:
    """Whether a customer in ``status`` may have no cash (``sensitive_statuses``: the
    policy's): its ``status_key`` is one of theirs."""
    word = status_key(status)
    return bool(word) and word in status_keys(sensitive_statuses)


async def read_customer(client: PlatformClient, customer_guid: str) -> Customer:
    """The cash's customer as DCM holds it now (its ``status``; a withdrawal's payer
    login). Unreadable: 503 ``dcm_unreadable`` (the hub cannot decide: nothing is allowed)."""
    try:
        return await client.get_customer(customer_guid)
    except (NotFound, ValidationError):
        raise dcm_unreadable("the cash's customer cannot be read on DCM") from None
    except PlatformError as exc:
        raise dcm_unreadable(f"DCM cannot be read: {exc.message}") from None


def status_in(row: Any) -> str | None:
    """The ``status`` of a customer row read on DCM moments ago (the proxy's own check read
    it), as ``read_customer`` would give it; None when the row does not say (then read)."""
    if not isinstance(row, dict) or "status" not in row:
        return None
    try:
        return Customer.model_validate(row).status or ""
    except pydantic.ValidationError:
        return None


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
