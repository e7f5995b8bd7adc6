"""Four eyes from the desk's side: one command pipeline, requests and decisions on the hub.

Every approvable write (a customer update, a cash confirm) goes through ``ApprovalGate``:

1. a checker (Supervisor/Administrator) writes directly — nothing is filed;
2. anyone else: the hub's policy decides (``POST /api/v1/policy/evaluate``) *before* the
   write; when it says "needs approval" the write is not sent to DCM: ``NeedsApproval`` is
   raised with the hub's verdict (reasons, canonical change) and the UI files a request;
3. a change that needs no approval is written directly.

Requests are command rows on the hub (Fineract's maker-checker): the exact change as
canonical JSON and its SHA-256, the maker from the hub session (never the desk's word). An
approver's desk sends the hash of what it *displayed* (``display_hash``); the hub refuses
anything else and executes the stored change itself on DCM. Mode A: the approver's own
platform session token goes in the approve call only (the hub uses it for that execution and
never keeps it). Nothing of a request is ever written into a customer.

What a call can end in (already decided, not one's own to decide…) is ``approval_outcomes``,
exported from here too. The bank's one-customer-per-phone rule refuses a change filed onto a
number another customer holds (``PhoneTaken``, as for a direct change: the phone is marked,
nothing filed) and its approval while the number is held (``PhoneNumberTaken``: pending).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from teller_app.core.approval_outcomes import (
    AlreadyDecided,
    ApprovalError,
    ChangedAfterView,
    ExecutionFailed,
    HubRequired,
    NeedsApproval,
    NotAllowed,
    PhoneNumberTaken,
    RequestImmutable,
    SelfApprovalRefused,
    four_eyes_error,
)
from teller_app.core.approvals_paging import all_requests
from teller_app.core.customer_checks import PhoneTaken, holders_quietly
from teller_app.core.session import HubLink, Session
from teller_app.core.views import CustomerView
from teller_app.platform import (
    AuthError,
    Conflict,
    HubUnavailable,
    PermissionDenied,
    PlatformClient,
    PlatformError,
    ValidationError,
)
from teller_app.platform._sensitive import secret_scope
from teller_app.platform.errors import DCM_UNREADABLE, HubCheckUnavailable
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import ChangeRequest
from teller_app.platform.phones import same_number_written
from teller_app.platform.status_words import status_key
from teller_app.secrets import Profile

log = logging.getLogger(__name__)

T = TypeVar("T")
# A change (field -> value) is the JSON a change request carries to the hub and back: the one
# place Any stays in this module (values are str, int, bool or Decimal until wire_change).

CUSTOMER_UPDATE = "customer_update"
CASH_CONFIRM = "cash_confirm"
# The bank's own settings on the hub (a head-office Administrator's PUT that relaxes a
# control): the request holds the whole new document, ``before`` the one in force.
POLICY_UPDATE = "policy_update"
CASH_LIMITS_UPDATE = "cash_limits_update"
SETTINGS_KINDS = frozenset({POLICY_UPDATE, CASH_LIMITS_UPDATE})
REASON_MAX_CHARS = 300
# Fields a customer_update request may carry (the hub refuses others).
REQUEST_FIELDS = frozenset({
    "balance_allowed", "balance_asset_code", "balance_asset_issuer", "branch_guid",
    "is_disabled", "kyc_level", "name", "paternal_name", "phone_number", "segment", "status",
    "surname",
})
# Without a hub the desk still knows the platform-wide defaults (used only to refuse).
BLOCKING_STATUSES = frozenset({"blocked", "closed"})


@dataclass(frozen=True)
class Actor:
    """Who acts: e-mail (the hub's identity), branch ("" = head office), checker or not."""

    email: str
    branch_guid: str = ""
    is_checker: bool = False  # Capability.DECIDE_APPROVALS


def actor_from_session(session: Session) -> Actor:
    from teller_app.core.roles import Capability

    employee = session.employee
    return Actor(
        email=str(employee.email or session.client.employee_email or "").lower(),
        branch_guid=str(session.branch_guid or ""),
        is_checker=bool(session.can(Capability.DECIDE_APPROVALS)),
    )


def approval_gate(session: Session) -> ApprovalGate:
    """The session's gate: its hub link and who acts."""
    return ApprovalGate(session.hub, actor_from_session(session))


def display_hash(request: ChangeRequest) -> str:
    """SHA-256 of the canonical JSON this desk shows (``change_json``), computed here: the
    approver vouches for what was on their screen, not for a hash the server sent."""
    return hashlib.sha256(request.change_json.encode("utf-8")).hexdigest()


def wire_change(change: Mapping[str, Any]) -> dict[str, Any]:
    """The request body's change: request fields only, Decimals as exact text."""
    out: dict[str, Any] = {}
    for key, value in change.items():
        if key not in REQUEST_FIELDS or value is None:
            continue
        out[key] = format(value, "f") if isinstance(value, Decimal) else value
    return out


def default_sensitive(current: CustomerView, change: Mapping[str, Any]) -> bool:
    """The hub's default policy, for when no hub answers: is_disabled, moves to/from
    blocked/closed, KYC down, allowed balance up, a new phone number (one-time codes go to
    it; the same number written otherwise is not new), a move to another branch. A status
    is read as the hub reads it (``status_key``: "Заблокована" is "blocked"). (The hub may
    be stricter: with the hub down, a change these defaults let through is written and the
    hub's watcher still sees it in Mode A.)"""
    if "is_disabled" in change and bool(change["is_disabled"]) != current.is_disabled:
        return True
    if "phone_number" in change:
        new_phone = str(change["phone_number"] or "").strip()
        old_phone = current.phone_number.strip()
        if new_phone != old_phone and not same_number_written(new_phone, old_phone):
            return True
    if "branch_guid" in change and str(change["branch_guid"] or "") != current.branch_guid:
        return True
    if "status" in change:
        old = status_key(current.status)
        new = status_key(str(change["status"] or ""))
        if old != new and {old, new} & BLOCKING_STATUSES:
            return True
    try:
        if "kyc_level" in change and \
                int(change["kyc_level"]) < current.kyc_level:
            return True
        if "balance_allowed" in change and Decimal(str(change["balance_allowed"])) > \
                current.balance_allowed:
            return True
    except (ValueError, ArithmeticError):
        return True  # cannot judge: ask
    return False


class ApprovalGate:
    """The one pipeline's decision point: ``check`` raises ``NeedsApproval`` or returns."""

    def __init__(self, hub: HubLink | None, actor: Actor) -> None:
        self.hub = hub
        self.actor = actor

    async def check(self, kind: str, customer_guid: str, change: Mapping[str, Any],
                    current: CustomerView | None = None) -> None:
        if self.actor.is_checker:
            return  # a checker's own change is written directly
        body = wire_change(change) if kind == CUSTOMER_UPDATE else dict(change)
        if not body:
            return
        if self.hub is None:
            # no policy to ask: the platform-wide defaults decide; filing then needs the hub
            if kind == CUSTOMER_UPDATE and current is not None and \
                    not default_sensitive(current, body):
                return
            raise NeedsApproval(customer_guid, body, None)
        try:
            verdict = await self.hub.call(lambda hub: hub.evaluate(
                kind, body, customer_guid=customer_guid or None))
        except (HubUnavailable, HubCheckUnavailable) as exc:
            # no verdict: the hub is away, or it could not read the customer on DCM (as
            # before that 503 had its code); a check of another kind is not skipped
            if isinstance(exc, HubCheckUnavailable) and exc.reason != DCM_UNREADABLE:
                raise
            if kind == CUSTOMER_UPDATE and current is not None and \
                    not default_sensitive(current, body):
                return  # the defaults let it through (see default_sensitive)
            raise
        if verdict.needs_approval:
            raise NeedsApproval(customer_guid, body, verdict)


class ApprovalService:
    """Files and decides requests through the session's hub link."""

    def __init__(self, hub: HubLink | None, actor: Actor,
                 platform: PlatformClient | None = None, desk_id: str = "") -> None:
        self.link = hub
        self.actor = actor
        self.platform = platform  # Mode A: the approver's session token comes from here
        self.desk_id = desk_id

    async def _call(self, fn: Callable[[HubClient], Awaitable[T]]) -> T:
        if self.link is None:
            raise HubRequired("four eyes needs the Teller Hub, and none is configured")
        try:
            return await self.link.call(fn)
        except (PermissionDenied, Conflict) as exc:
            raise four_eyes_error(exc) from None

    # filing (maker) -------------------------------------------------------------------
    async def file_request(self, customer_guid: str, change: Mapping[str, Any], reason: str,
                           kind: str = CUSTOMER_UPDATE, request_id: str | None = None
                           ) -> ChangeRequest:
        """File a request. ``request_id`` belongs to the intended change (made once per
        form or dialog: ``core/intent_id``), so sending it again after an error answers the
        request the hub filed first. Without one, a fresh id covers this call's own retries
        only, and a second call files a second request."""
        reason = reason.strip()
        if len(reason) > REASON_MAX_CHARS:
            raise ValidationError(f"the reason is longer than {REASON_MAX_CHARS} characters")
        body = wire_change(change) if kind == CUSTOMER_UPDATE else dict(change)
        rid = request_id or str(uuid.uuid4())
        try:
            result: ChangeRequest = await self._call(lambda hub: hub.file_request(
                kind, customer_guid, body, reason, request_id=rid, desk_id=self.desk_id))
        except PhoneNumberTaken:  # the bank's rule: nothing filed, the phone is marked
            raise PhoneTaken(await self._holders(customer_guid, body)) from None
        return result

    async def withdraw(self, request: ChangeRequest) -> ChangeRequest:
        result: ChangeRequest = await self._call(
            lambda hub: hub.withdraw(request.id, desk_id=self.desk_id))
        return result

    # deciding (checker) -----------------------------------------------------------------
    async def approve(self, request: ChangeRequest, comment: str = "") -> ChangeRequest:
        """Approve exactly what was displayed; the hub executes it. Raises
        ``ExecutionFailed`` when DCM refused the stored change, ``PhoneNumberTaken`` when the
        hub refused it for its phone number (still pending)."""
        token = self.platform.session_token if self.platform is not None else None
        if request.kind in SETTINGS_KINDS:
            token = None  # the hub applies its own settings: no platform session goes out
        sha = display_hash(request)
        try:
            result: ChangeRequest = await self._call(lambda hub: hub.approve(
                request.id, sha, comment=comment, session_token=token, desk_id=self.desk_id))
        except PhoneNumberTaken as exc:
            exc.holders = await self._holders(request.customer_guid, request.change)
            raise
        if result.state == "failed":
            raise ExecutionFailed(result)
        return result

    async def reject(self, request: ChangeRequest, comment: str) -> ChangeRequest:
        result: ChangeRequest = await self._call(lambda hub: hub.reject(
            request.id, comment, sha256=display_hash(request), desk_id=self.desk_id))
        return result

    async def _holders(self, customer_guid: str,
                       change: Mapping[str, Any]) -> list[CustomerView]:
        """Who holds a refused change's new number, as far as this employee can see."""
        if self.platform is None:
            return []
        return await holders_quietly(self.platform, None, str(change.get("phone_number") or ""),
                                     customer_guid)

    # reading -------------------------------------------------------------------------
    async def pending(self) -> list[ChangeRequest]:
        """Every pending request this employee may see (all pages, newest first)."""
        return await all_requests(self._call, states=("pending",))

    async def mine(self, customer_guid: str | None = None) -> list[ChangeRequest]:
        return await all_requests(self._call, states=("pending",), mine=True,
                                  customer_guid=customer_guid)

    async def get(self, request_id: str) -> ChangeRequest:
        found: ChangeRequest = await self._call(lambda hub: hub.get_request(request_id))
        return found


async def decide_in_place(
    profile: Profile, email: str, password: str, request: ChangeRequest, outcome: str,
    comment: str = "",
) -> ChangeRequest:
    """Local approval (FLEXCUBE's "local authorisation"): the checker types their
    credentials at the maker's desk. Their own session (platform + hub) decides this one
    request, is logged out right after (DCM: Kratos native logout) and is never stored; the
    log masking forgets their password and tokens afterwards (``secret_scope``), so the
    teller's desk process keeps none of them."""
    async with short_session(profile, email, password) as session:
        actor = actor_from_session(session)
        if not actor.is_checker:
            raise NotAllowed("deciding requests needs the Supervisor role")
        service = ApprovalService(session.hub, actor, session.client, desk_id="in-place")
        if outcome == "approved":
            return await service.approve(request, comment)
        return await service.reject(request, comment)


@asynccontextmanager
async def short_session(profile: Profile, email: str,
                        password: str) -> AsyncIterator[Session]:
    """A supervisor's own session at another employee's desk (in-place approval, cash
    confirm, till co-sign): opened inside a ``secret_scope``, closed everywhere after. A
    refused sign-in raises ``SupervisorSignInRefused`` (theirs, not the desk's session). A
    close that fails is logged, never raised: what the session did is done."""
    from teller_app.core.session import make_auth, open_session
    from teller_app.core.supervisor_sign_in import SupervisorSignInRefused

    with secret_scope():
        try:
            session = await open_session(profile, make_auth(profile, email, password))
        except AuthError as exc:
            raise SupervisorSignInRefused.from_refusal(exc) from None
        try:
            yield session
        finally:
            try:
                await close_everywhere(session)  # logged out on the platform and the hub
            except Exception as exc:
                log.warning("the supervisor's short session did not close (%s)",
                            type(exc).__name__)


async def close_everywhere(session: Session) -> None:
    """Log a short-lived session out on the hub and on the platform, then drop it. Its
    password and tokens stop being masked when the caller's ``secret_scope`` ends: only what
    that scope registered first is forgotten, so a password this desk already masks for good
    (the teller's own, typed into the supervisor's dialog) stays masked."""
    import contextlib

    with contextlib.suppress(PlatformError, TimeoutError):
        await session.client.logout()
    await session.close()


__all__ = [
    "CASH_LIMITS_UPDATE",
    "POLICY_UPDATE",
    "SETTINGS_KINDS",
    "Actor",
    "AlreadyDecided",
    "ApprovalError",
    "ApprovalGate",
    "ApprovalService",
    "ChangeRequest",
    "ChangedAfterView",
    "ExecutionFailed",
    "HubRequired",
    "NeedsApproval",
    "NotAllowed",
    "PhoneNumberTaken",
    "RequestImmutable",
    "SelfApprovalRefused",
    "actor_from_session",
    "approval_gate",
    "close_everywhere",
    "decide_in_place",
    "display_hash",
    "four_eyes_error",
    "short_session",
    "wire_change",
]
