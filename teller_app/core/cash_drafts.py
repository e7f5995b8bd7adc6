"""The supervisor's list of cash drafts awaiting confirmation, named (issue 15 item 4).

DCM lists the branch's CREATED cash drafts; the hub adds who made each one (the teller whose
desk authorized it, the customer, its decision and reasons); names come from the platform
(customers) and the employees list (tellers). The inbox gets ``InboxDraft`` rows — typed,
never a bare payment with a GUID.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from teller_app.core.approvals import CASH_CONFIRM
from teller_app.core.cash import CashKind, CashService
from teller_app.core.till_cash import DraftAuthorization, HubCash
from teller_app.platform import PlatformError
from teller_app.platform.hub_models import ChangeRequest
from teller_app.platform.models import Payment

NameLookup = Callable[[list[str]], Awaitable[dict[str, str]]]
# Hub events after which the drafts list is read again (a draft filed, decided or voided).
DRAFT_EVENT_KINDS = frozenset({"cash.voided", "request.filed", "request.withdrawn",
                               "request.approved", "request.rejected", "request.applied",
                               "request.failed"})


@dataclass(frozen=True)
class InboxDraft:
    payment_guid: str
    kind: CashKind | None
    amount: Decimal
    asset_code: str
    created_at: datetime | None
    customer_guid: str
    customer_name: str  # "" when unknown (the UI shows a short GUID)
    teller_email: str  # "" when no desk authorized it at the hub
    teller_name: str
    reasons: tuple[str, ...]  # the hub's reasons a supervisor is needed


def requested_drafts(requests: Iterable[ChangeRequest]) -> frozenset[str]:
    """The drafts a pending ``cash_confirm`` request stands for (its change names the
    payment). There the request is the one place to decide: the drafts list leaves them
    out, so a supervisor sees each draft once."""
    return frozenset(
        str(request.displayed_change().get("payment_guid") or "") for request in requests
        if request.kind == CASH_CONFIRM and request.pending) - {""}


def _customer_account(payment: Payment, kind: CashKind | None) -> str:
    return payment.receiver_id if kind is CashKind.DEPOSIT else payment.sender_id


async def _customers_by_account(service: CashService, accounts: list[str]) -> dict[str, str]:
    """account guid -> customer guid, for drafts the hub knows nothing of."""
    if not accounts:
        return {}
    with contextlib.suppress(PlatformError):
        page = await service.client.list_accounts(wallet_account_guids=accounts)
        return {a.wallet_account_guid: a.wallet_user_guid for a in page.accounts
                if a.wallet_user_guid}
    return {}


async def inbox_drafts(service: CashService, people: NameLookup,
                       customers: NameLookup) -> list[InboxDraft]:
    """The branch's cash drafts awaiting confirmation (voided ones left out), newest first."""
    payments = await service.pending_drafts()
    hub = service.gate if isinstance(service.gate, HubCash) else None
    made: dict[str, DraftAuthorization] = {}
    if hub is not None and payments:
        with contextlib.suppress(PlatformError):  # names are decoration: the rows stay
            made = await hub.authorizations([p.guid for p in payments])
    kinds = {p.guid: service.kind_of(p) for p in payments}
    unknown = [_customer_account(p, kinds[p.guid]) for p in payments if p.guid not in made]
    by_account = await _customers_by_account(service, sorted(set(unknown)))
    customer_of = {p.guid: made[p.guid].customer_guid if p.guid in made
                   else by_account.get(_customer_account(p, kinds[p.guid]), "")
                   for p in payments}
    tellers = sorted({a.teller.lower() for a in made.values()
                      if a.teller and not a.teller_name})
    guids = sorted({g for g in customer_of.values() if g})
    teller_names, customer_names = {}, {}
    with contextlib.suppress(PlatformError):
        teller_names = await people(tellers) if tellers else {}
    with contextlib.suppress(PlatformError):
        customer_names = await customers(guids) if guids else {}
    rows = []
    for p in payments:
        auth = made.get(p.guid)
        teller = auth.teller if auth is not None else ""
        rows.append(InboxDraft(
            payment_guid=p.guid, kind=kinds[p.guid], amount=p.amount, asset_code=p.asset_code,
            created_at=p.created_at, customer_guid=customer_of[p.guid],
            customer_name=customer_names.get(customer_of[p.guid], ""), teller_email=teller,
            teller_name=(auth.teller_name if auth is not None else "")
            or teller_names.get(teller.lower(), ""),
            reasons=auth.reasons if auth is not None else ()))
    rows.sort(key=lambda r: r.created_at.timestamp() if r.created_at else 0, reverse=True)
    return rows
