"""Approved but not applied: a four-eyes request whose execution the hub could not finish
alone (it died right after the decision, and in Mode A it never keeps an approver's platform
session). The hub reports it as ``request.interrupted`` and leaves it ``approved``; an
approver resumes it with their own session, exactly as they approve (``ApprovalService``).

The hub decides who may resume (a checker of the request's branch, never its maker) and
settles what is already on DCM by reading it first: the desk only lists and asks."""

from __future__ import annotations

from teller_app.core.approvals import (
    SETTINGS_KINDS,
    ApprovalService,
    ExecutionFailed,
    HubRequired,
    four_eyes_error,
)
from teller_app.core.approvals_paging import all_requests
from teller_app.platform import Conflict, PermissionDenied
from teller_app.platform.hub_models import ChangeRequest

APPROVED = "approved"
# The hub's ``report_interrupted`` releases the execution marker (0) and says why in
# ``result``; an approved request still executing has a live marker and no such result.
INTERRUPTED_RESULT = "interrupted"


class StillNotApplied(Exception):
    """The hub answered the resume but the change is still not applied (``request.result``
    says why: DCM unreadable, another process executing it, no platform session…)."""

    def __init__(self, request: ChangeRequest) -> None:
        self.request = request
        super().__init__(request.result or "the change is not applied yet")


def is_interrupted(request: ChangeRequest) -> bool:
    """Approved, and its execution stopped (reported by the hub), not merely running now."""
    if request.state != APPROVED:
        return False
    return not request.execution_started_at or \
        (request.result or "").startswith(INTERRUPTED_RESULT)


async def interrupted_requests(service: ApprovalService) -> list[ChangeRequest]:
    """The approved requests the hub could not apply, as far as this employee may see them
    (no hub: none)."""
    link = service.link
    if link is None:
        return []
    found = await all_requests(link.call, states=(APPROVED,))
    return [r for r in found if is_interrupted(r)]


async def resume_request(service: ApprovalService, request: ChangeRequest) -> ChangeRequest:
    """Ask the hub to finish an approved request with this approver's own session (Mode A:
    their platform session token, for this call only, as ``ApprovalService.approve``).
    Returns the applied request; raises ``ExecutionFailed`` when DCM refused it,
    ``StillNotApplied`` when it is still not applied, four-eyes errors as ``approve`` does."""
    link = service.link
    if link is None:
        raise HubRequired("four eyes needs the Teller Hub, and none is configured")
    token = service.platform.session_token if service.platform is not None else None
    if request.kind in SETTINGS_KINDS:
        token = None  # the hub applies its own settings: no platform session goes out
    try:
        result = await link.call(lambda hub: hub.resume(request.id, session_token=token))
    except (PermissionDenied, Conflict) as exc:
        raise four_eyes_error(exc) from None
    if result.state == "failed":
        raise ExecutionFailed(result)
    if result.state == APPROVED:
        raise StillNotApplied(result)
    return result


__all__ = ["StillNotApplied", "interrupted_requests", "is_interrupted", "resume_request"]
