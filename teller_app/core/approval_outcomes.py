"""What a four-eyes call can end in, as the desk tells it (``ui/approval_errors``): the hub's
403/409 answers as typed outcomes. ``core.approvals`` raises them (and exports them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from teller_app.core.customer_checks import PHONE_TAKEN
from teller_app.core.views import CustomerView
from teller_app.platform import Conflict, PermissionDenied, PlatformError
from teller_app.platform.hub_models import ChangeRequest, PolicyVerdict


class ApprovalError(Exception):
    """Base for four-eyes outcomes the UI explains to the user."""


class NeedsApproval(ApprovalError):
    """The hub's policy: this change needs a second person. Nothing was written."""

    def __init__(self, customer_guid: str, change: dict[str, Any],
                 verdict: PolicyVerdict | None) -> None:
        self.customer_guid = customer_guid
        self.change = change
        self.verdict = verdict
        super().__init__("this change needs a supervisor's approval")

    @property
    def reasons(self) -> list[str]:
        return list(self.verdict.reasons) if self.verdict is not None else []


class AlreadyDecided(ApprovalError):
    """Someone decided (or the maker withdrew) first; ``message`` is the hub's text."""


class ChangedAfterView(ApprovalError):
    """The stored request is not what this desk displayed: refused, nothing applied."""


class RequestImmutable(ApprovalError):
    """A filed request never changes: its id cannot carry another change."""


class SelfApprovalRefused(ApprovalError):
    """Four eyes: the maker of a request may not decide it."""


class NotAllowed(ApprovalError):
    """Role or branch does not allow this (the hub's 403)."""


class HubRequired(ApprovalError):
    """Four eyes needs the Teller Hub, and it is not configured or not reachable."""


class PhoneNumberTaken(ApprovalError):
    """The approval is refused: another customer holds the request's new phone number (the
    bank's rule). Nothing was decided or written; the request stays pending, for the
    approver to reject it or approve it once the number is free. ``holders``: those the
    approver can see (may be empty)."""

    def __init__(self, message: str, holders: list[CustomerView] | None = None) -> None:
        super().__init__(message)
        self.holders = holders or []


CHANGE_IN_PROGRESS = "customer_change_in_progress"  # the hub's 409 code (``customer_serial``)


@dataclass(frozen=True)
class BlockingChange:
    """The approved change that holds the customer (the 409's ``blocking``): ``request_id``
    None when the approver may not read it (another branch's: it exists, nothing more);
    ``awaiting_resume``: interrupted, it waits for an approver's Resume (else executing)."""

    request_id: str | None
    awaiting_resume: bool = False


def blocking_of(detail: Mapping[str, Any] | None) -> BlockingChange | None:
    """The ``blocking`` of a 409 ``customer_change_in_progress``'s body (``detail``: its
    fields besides ``error`` and ``code``); None: an older hub that named none."""
    blocking = (detail or {}).get("blocking")
    if not isinstance(blocking, Mapping):
        return None
    rid = blocking.get("request_id")
    named = rid if isinstance(rid, str) and 0 < len(rid) <= 64 else None
    return BlockingChange(named, named is not None and blocking.get("state") == "awaiting_resume")


class ChangeInProgress(ApprovalError):
    """The approval is refused while another approved change to the same customer is still
    being applied (or awaits a resume): nothing was decided, the request stays pending and
    listed, for the approver to approve it again once that one has ended. ``blocking``: that
    change, as far as the hub named it (None: not named at all)."""

    def __init__(self, message: str, blocking: BlockingChange | None = None) -> None:
        super().__init__(message)
        self.blocking = blocking


class ExecutionFailed(ApprovalError):
    """Approved, but DCM refused the stored change (``result`` = the platform's message)."""

    def __init__(self, request: ChangeRequest) -> None:
        self.request = request
        super().__init__(request.result or "the platform refused the change")


def four_eyes_error(exc: Exception) -> Exception:
    """The hub's 403/409 as four-eyes outcomes (the hub's text kept for the log)."""
    text = (exc.message if isinstance(exc, PlatformError) else "") or str(exc)
    if isinstance(exc, PermissionDenied):
        if "maker" in text and "four eyes" in text:
            return SelfApprovalRefused(text)
        return NotAllowed(text)
    if isinstance(exc, Conflict):
        if exc.reason == PHONE_TAKEN:
            return PhoneNumberTaken(text)
        if exc.reason == CHANGE_IN_PROGRESS:  # still pending: not "decided by someone else"
            # the body's other fields: ``PlatformError.detail`` (the platform seam)
            return ChangeInProgress(text, blocking_of(exc.detail))
        if "differs from what you were shown" in text:
            return ChangedAfterView(text)
        if "id is taken" in text:
            return RequestImmutable(text)
        return AlreadyDecided(text)
    return exc
