"""Why a Mode-A sign-in has no hub session, as a kind the desk words (``ui/start_main_window``)
rather than a message to match: ``Session.hub_problem`` stays the English text for the log."""

from __future__ import annotations

from enum import Enum

from teller_app.platform import AuthError, PermissionDenied, PlatformError
from teller_app.platform.errors import DCM_UNREADABLE, DeskTooOld, HubCheckUnavailable


class HubProblem(Enum):
    NOT_CONFIGURED = "not_configured"  # the profile names no hub
    UNREACHABLE = "unreachable"  # no answer (or one the desk cannot use): the hub is down
    # the hub answered 503 dcm_unreadable: it is up, but could not read DCM just now (e.g.
    # the platform session's check at its open), so it opened no session
    DCM_UNREADABLE = "dcm_unreadable"
    REFUSED = "refused"  # it answered and would not open a session for this sign-in
    DESK_TOO_OLD = "desk_too_old"  # it answered: this desk is older than it allows


def hub_problem_of(exc: PlatformError) -> HubProblem:
    """The kind of a failed hub-session open."""
    if isinstance(exc, HubCheckUnavailable) and exc.reason == DCM_UNREADABLE:
        return HubProblem.DCM_UNREADABLE
    if isinstance(exc, DeskTooOld):
        return HubProblem.DESK_TOO_OLD
    if isinstance(exc, AuthError | PermissionDenied):
        return HubProblem.REFUSED
    return HubProblem.UNREACHABLE
