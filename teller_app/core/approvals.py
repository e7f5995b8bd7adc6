"""Four-eyes change requests stored on the platform, and their decision protocol.

Why on the platform: it is the only server every workstation shares, so a request filed at one
desk must be visible at another and survive restarts. Where: the customer's free-text
``status``, as ``<real status> [[tr1:<base64url(JSON)>]]`` (exact grammar in
``approval_codec``). The customer's real status is everything before the marker; the UI shows
only that. Finding requests: incremental ``list_customers(min_updated_at=...)`` (or the synced
cache) and decoding each status; at most one pending request per customer.

Deciding (approve / reject / withdraw) — the platform has no compare-and-swap, but customer
``login`` is unique, so creating a marker customer with login ``approval-lock:<request id>``
succeeds exactly once. That marker is the decision:

1. re-read the customer; the request must still be in its status (else ``RequestGone``);
2. four-eyes: approver guid != maker guid (``SelfApprovalRefused``), here in the service;
3. create the marker customer (status = encoded decision), then ALWAYS read it back (the
   client reconciles a lost POST answer by login, so "created" alone proves nothing). A
   marker holding someone else's decision raises ``AlreadyDecided``; our own identical
   decision (first attempt, or a retry after a crash/timeout) goes on;
4. apply: approve → one PUT with the change and the status rewritten to the real status
   (or to the requested status); reject/withdraw → PUT status back to the real status.

Guarantee: at most one decision per request id, ever, as strong as the platform's login
uniqueness. If step 4 fails, the request stays visible with its marker present; re-running
the same decision (or ``finish_decided``) completes it, and nobody can decide differently.
Limits, stated honestly: the maker guid inside the status is written by the client, so the
platform cannot authenticate it (a teller's own PUT of ``is_disabled`` is refused by the
platform itself, which is the real control). Filing is best effort: two requests written to one
customer at nearly the same moment — last write wins; ``file_request`` re-reads and reports
``RequestSuperseded`` when it sees the other one, but a write landing after that re-read is
not noticed (the overwritten maker's card then shows no pending request). Marker customers
are real (empty) customers of the branch: the app must hide customers whose login starts
with ``approval-lock:`` (``is_lock_marker``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from teller_app.core.approval_codec import (
    ChangeRequest,
    CodecError,
    Decision,
    decode_decision,
    encode_decision,
    encode_status,
    split_status,
    utc_now_text,
    validate_change,
)
from teller_app.markers import APPROVAL_LOCK_LOGIN_PREFIX
from teller_app.platform.errors import Conflict, ValidationError
from teller_app.platform.models import Customer, CustomerUpdate, NewCustomer

LOCK_LOGIN_PREFIX = APPROVAL_LOCK_LOGIN_PREFIX  # shared with the cache: teller_app/markers.py
BLOCKING_STATUSES = frozenset({"blocked", "closed"})
LIST_PAGE = 200
SCAN_OVERLAP = timedelta(seconds=5)  # incremental inbox scans re-read this much


class ApprovalError(Exception):
    """Base for protocol outcomes the UI explains to the user."""


class RequestGone(ApprovalError):
    """The request is no longer on the customer (decided, withdrawn or replaced)."""


class AlreadyDecided(ApprovalError):
    def __init__(self, decision: Decision | None) -> None:
        self.decision = decision
        outcome = decision.outcome if decision else "decided"
        super().__init__(f"request already {outcome}")


class SelfApprovalRefused(ApprovalError):
    """Four eyes: the maker of a request may not decide it (except withdraw it)."""


class NotAllowed(ApprovalError):
    """The acting employee's roles do not allow this decision."""


class RequestPending(ApprovalError):
    """The customer already has a pending request (one at a time)."""


class RequestSuperseded(ApprovalError):
    """Another request was written at the same moment and won; ours is not on the customer."""


class CustomerApi(Protocol):
    """The part of ``PlatformClient`` this module uses."""

    async def get_customer(self, customer_guid: str) -> Customer: ...
    async def update_customer(self, customer_guid: str, update: CustomerUpdate) -> Any: ...
    async def create_customer(self, new: NewCustomer) -> Any: ...
    async def list_customers(self, **filters: Any) -> Any: ...
    async def find_customer_by_login(self, login: str) -> Customer | None: ...
    async def get_customer_accounts(self, customer_guid: str) -> Any: ...


@dataclass(frozen=True)
class Actor:
    """Who acts: an employee guid, their branch ("" = head office) and what they may do."""

    employee_guid: str
    branch_guid: str = ""
    can_decide: bool = False  # Capability.DECIDE_APPROVALS
    can_apply: bool = False  # Capability.APPLY_SENSITIVE_CHANGE


def actor_from_session(session: Any) -> Actor:
    from teller_app.core.roles import Capability

    employee = session.employee
    return Actor(
        employee_guid=str(employee.guid),
        branch_guid=str(getattr(session, "branch_guid", None) or ""),
        can_decide=bool(session.can(Capability.DECIDE_APPROVALS)),
        can_apply=bool(session.can(Capability.APPLY_SENSITIVE_CHANGE)),
    )


# -- what is sensitive -----------------------------------------------------------------------
def sensitive_fields(
    customer: Customer, change: dict[str, Any], settings: Iterable[str] = ()
) -> list[str]:
    """Fields of ``change`` that need a supervisor. Always: ``is_disabled`` changes and status
    moves into or out of blocked/closed (the platform refuses those to a teller). Plus what the
    profile's ``sensitive_changes`` marks: "kyc_down" (lowering the KYC level) or a field name
    (e.g. "segment", "balance_allowed")."""
    marked = set(settings)
    if "kyc_level_down" in marked:
        marked.add("kyc_down")
    real = split_status(customer.status)[0]
    return [k for k, v in change.items() if _is_sensitive(k, v, customer, real, marked)]


def _is_sensitive(key: str, value: Any, customer: Customer, real: str, marked: set[str]) -> bool:
    if key == "is_disabled":
        return bool(value) != customer.is_disabled
    if key == "status":
        moves = {str(value).strip().lower(), real.strip().lower()} & BLOCKING_STATUSES
        return value != real and bool(moves)
    if key == "kyc_level":
        return "kyc_down" in marked and int(value) < customer.kyc_level
    return key in marked and getattr(customer, key, None) != value


def pending_request(customer: Customer) -> ChangeRequest | None:
    return split_status(customer.status, customer.wallet_user_guid)[1]


def is_lock_marker(customer: Customer) -> bool:
    return customer.login.startswith(LOCK_LOGIN_PREFIX)


def requests_in(customers: Iterable[Customer], branch_guid: str = "") -> list[ChangeRequest]:
    """Pending requests among ``customers`` (of ``branch_guid`` unless ""), newest first."""
    found = []
    for customer in customers:
        if is_lock_marker(customer):
            continue
        if branch_guid and (customer.branch_guid or "") != branch_guid:
            continue
        request = pending_request(customer)
        if request is not None:
            found.append(request)
    return sorted(found, key=lambda r: r.created_at, reverse=True)


# -- the service -----------------------------------------------------------------------------
class ApprovalService:
    """Files and decides change requests through one employee's ``PlatformClient``."""

    def __init__(self, client: CustomerApi, actor: Actor) -> None:
        self.client = client
        self.actor = actor

    # filing (teller) ------------------------------------------------------------------
    async def file_request(
        self, customer_guid: str, change: dict[str, Any], reason: str
    ) -> ChangeRequest:
        change = validate_change(change)
        customer = await self.client.get_customer(customer_guid)
        real, pending = split_status(customer.status, customer_guid)
        if pending is not None:
            raise RequestPending(pending.id)
        request = ChangeRequest(
            id=uuid.uuid4().hex,
            maker_guid=self.actor.employee_guid,
            branch_guid=customer.branch_guid or self.actor.branch_guid,
            created_at=utc_now_text(),
            reason=reason.strip(),
            change=change,
        )
        status = encode_status(real, request)  # CodecError on a bad reason / too long
        await self.client.update_customer(customer_guid, CustomerUpdate(status=status))
        # No CAS on the platform: re-read so a simultaneous second request is noticed.
        after = await self.client.get_customer(customer_guid)
        stored = pending_request(after)
        if stored is None or stored.id != request.id:
            raise RequestSuperseded(request.id)
        return stored

    # deciding (supervisor; withdraw: the maker) -----------------------------------------
    async def approve(self, customer_guid: str, request_id: str, comment: str = "") -> Decision:
        return await self._decide(customer_guid, request_id, "approved", comment)

    async def reject(self, customer_guid: str, request_id: str, comment: str = "") -> Decision:
        return await self._decide(customer_guid, request_id, "rejected", comment)

    async def withdraw(self, customer_guid: str, request_id: str) -> Decision:
        return await self._decide(customer_guid, request_id, "withdrawn", "")

    async def decision_for(self, request_id: str) -> Decision | None:
        """The recorded decision for ``request_id`` (None if undecided)."""
        marker = await self._find_marker(request_id)
        return decode_decision(marker.status) if marker is not None else None

    async def finish_decided(self, request: ChangeRequest) -> Decision | None:
        """Complete a request whose decision is recorded but not applied (crash/timeout
        between marker and apply). Any decider may finish: the decision itself is fixed."""
        decision = await self.decision_for(request.id)
        if decision is not None:
            await self._apply(decision, request)
        return decision

    async def _decide(
        self, customer_guid: str, request_id: str, outcome: str, comment: str
    ) -> Decision:
        customer = await self.client.get_customer(customer_guid)
        request = pending_request(customer)
        if request is None or request.id != request_id:
            previous = await self.decision_for(request_id)
            if previous is not None:
                raise AlreadyDecided(previous)
            raise RequestGone(request_id)
        self._check_allowed(request, outcome)
        decision = Decision(
            request_id=request.id,
            customer_guid=customer_guid,
            outcome=outcome,
            decider_guid=self.actor.employee_guid,
            decided_at=utc_now_text(),
            comment=comment,
        )
        status = encode_decision(decision)  # CodecError on an over-long comment
        recorded = await self._claim(decision, status, customer)
        await self._apply(recorded, request)
        return recorded

    def _check_allowed(self, request: ChangeRequest, outcome: str) -> None:
        is_maker = request.maker_guid == self.actor.employee_guid
        if outcome == "withdrawn":
            if not is_maker:
                raise NotAllowed("only the maker may withdraw a request")
            return
        if is_maker:
            raise SelfApprovalRefused(request.id)
        if not self.actor.can_decide:
            raise NotAllowed("deciding requests needs the Supervisor role")

    async def _claim(self, decision: Decision, status: str, customer: Customer) -> Decision:
        """Create the lock marker; exactly one creator per request id succeeds."""
        asset_code, asset_issuer = await self._asset_of(customer)
        new = NewCustomer(
            asset_code=asset_code,
            asset_issuer=asset_issuer,
            login=LOCK_LOGIN_PREFIX + decision.request_id,
            name="approval-lock",
            surname=decision.request_id,
            branch_guid=customer.branch_guid or None,
            status=status,
        )
        try:
            await self.client.create_customer(new)
        except (Conflict, ValidationError) as exc:
            if isinstance(exc, ValidationError) and "409" not in exc.message:
                raise
        # Always read the marker back: the client reconciles a lost POST answer by login, so
        # "created" alone could be someone else's marker. The marker's content decides.
        existing = await self.decision_for(decision.request_id)
        if (
            existing is not None
            and existing.decider_guid == decision.decider_guid
            and existing.outcome == decision.outcome
        ):
            return existing  # ours (first attempt or a resumed retry)
        raise AlreadyDecided(existing)

    async def _asset_of(self, customer: Customer) -> tuple[str, str]:
        """The asset for the marker's (empty) account: the customer's own asset."""
        if customer.balance_asset_code and customer.balance_asset_issuer:
            return customer.balance_asset_code, customer.balance_asset_issuer
        for account in await self.client.get_customer_accounts(customer.wallet_user_guid):
            for asset in account.assets:
                return asset.code, asset.stellar_issuer
        raise ApprovalError("the customer has no account to take the asset from")

    async def _apply(self, decision: Decision, request: ChangeRequest) -> None:
        customer = await self.client.get_customer(decision.customer_guid)
        real, pending = split_status(customer.status)
        if pending is None or pending.id != decision.request_id:
            return  # already applied (a resumed or finished decision)
        if decision.outcome == "approved":
            change = dict(request.change)
            new_status = str(change.pop("status", real))
            update = CustomerUpdate(status=new_status, **change)
        else:
            update = CustomerUpdate(status=real)
        await self.client.update_customer(decision.customer_guid, update)

    async def _find_marker(self, request_id: str) -> Customer | None:
        login = LOCK_LOGIN_PREFIX + request_id
        customer: Customer | None = await self.client.find_customer_by_login(login)
        return customer

    # listing (inbox / notifications) ---------------------------------------------------
    async def scan(
        self, min_updated_at: datetime | None = None, overlap: timedelta = SCAN_OVERLAP,
    ) -> tuple[list[Customer], Any]:
        """Customers changed since ``min_updated_at`` (all when None), paged; returns them and
        the newest ``updated_at`` seen, for the next incremental scan. The scan starts
        ``overlap`` earlier: a request committed late with an older ``updated_at`` is still
        caught (re-reading a customer is harmless, the inbox merges by customer)."""
        customers: list[Customer] = []
        offset = 0
        filters: dict[str, Any] = {}
        if min_updated_at is not None:
            filters["min_updated_at"] = min_updated_at - overlap
        if self.actor.branch_guid:
            filters["branch_guids"] = [self.actor.branch_guid]
        while True:
            page = await self.client.list_customers(offset=offset, limit=LIST_PAGE, **filters)
            batch = _customers_of(page)
            customers.extend(batch)
            total = getattr(page, "total", None)
            offset += len(batch)
            # never on a short page: a server may cap pages below LIST_PAGE (a bare list
            # carries no total: one page)
            if not batch or total is None or offset >= total:
                break
        seen = [c.updated_at for c in customers if c.updated_at]
        if min_updated_at is not None:
            seen.append(min_updated_at)  # the overlap never moves the watermark back
        return customers, max(seen, default=None)


async def decide_with_credentials(
    profile: Any,
    email: str,
    password: str,
    customer_guid: str,
    request_id: str,
    outcome: str,
    comment: str = "",
) -> Decision:
    """Approval in place: the supervisor's own short-lived session decides; it is closed
    afterwards and never stored (the teller's session is not touched)."""
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin

    session = await open_session(profile, PasswordLogin(email, password))
    try:
        service = ApprovalService(session.client, actor_from_session(session))
        if outcome == "approved":
            return await service.approve(customer_guid, request_id, comment)
        return await service.reject(customer_guid, request_id, comment)
    finally:
        await session.client.logout()  # short-lived: never left valid on the platform
        await session.close()


def _customers_of(page: Any) -> list[Customer]:
    if isinstance(page, list):
        return page
    return list(getattr(page, "customers", []) or [])


__all__ = [
    "Actor",
    "AlreadyDecided",
    "ApprovalError",
    "ApprovalService",
    "ChangeRequest",
    "CodecError",
    "Decision",
    "NotAllowed",
    "RequestGone",
    "RequestPending",
    "RequestSuperseded",
    "SelfApprovalRefused",
    "actor_from_session",
    "decide_with_credentials",
    "is_lock_marker",
    "pending_request",
    "requests_in",
    "sensitive_fields",
]
