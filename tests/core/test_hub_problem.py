"""The kind of a failed hub-session open is read from the error's type and code, never from
its message: only the hub's 503 ``dcm_unreadable`` is "reachable, could not read DCM"."""

from __future__ import annotations

import pytest

from teller_app.core.hub_problem import HubProblem, hub_problem_of
from teller_app.platform import AuthError, HubUnavailable, PermissionDenied, PlatformError
from teller_app.platform.errors import DCM_UNREADABLE, DeskTooOld, HubCheckUnavailable


@pytest.mark.parametrize(("exc", "kind"), [
    (HubCheckUnavailable("DCM is unreachable: cannot check the platform session",
                         status_code=503, reason=DCM_UNREADABLE), HubProblem.DCM_UNREADABLE),
    # another check the hub could not run is not this one
    (HubCheckUnavailable("could not check", status_code=503,
                         reason="phone_check_unavailable"), HubProblem.UNREACHABLE),
    # a hub that is down, even one whose message names DCM
    (HubUnavailable("the Teller Hub cannot be reached: DCM_UNREADABLE dcm_unreadable",
                    status_code=503), HubProblem.UNREACHABLE),
    # it answered, and would not open a session: not "down" either
    (AuthError("no platform session to open a hub session with", reason="expired"),
     HubProblem.REFUSED),
    (PermissionDenied("not an employee of this bank", status_code=403), HubProblem.REFUSED),
    (DeskTooOld("this desk is too old", status_code=426), HubProblem.DESK_TOO_OLD),
])
def test_the_kind_comes_from_type_and_code(exc: PlatformError, kind: HubProblem) -> None:
    assert hub_problem_of(exc) is kind
