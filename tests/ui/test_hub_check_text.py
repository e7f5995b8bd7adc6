"""A hub that answered 503 naming a check it could not run is no unreachable hub: the desk
says what happened, and keeps its online state. ``phone_check_unavailable``: it could not
read DCM to check a phone number (nothing was saved); ``dcm_unreadable``: it could not read
the platform just now for another step (that step was not taken; not the phone number's
text). A 503 without such a code, or no answer at all, is still ``HubUnavailable``."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.platform import HubUnavailable, Unavailable
from teller_app.platform._hub_errors import hub_error
from teller_app.platform.errors import HubCheckUnavailable
from teller_app.ui.error_text import friendly_message, hub_check_text, is_connectivity_error

EVALUATE = "/api/v1/policy/evaluate"
REQUESTS = "/api/v1/requests"


@pytest.mark.parametrize(("reason", "path", "text"), [
    ("phone_check_unavailable", EVALUATE,
     "The Teller Hub could not check the phone number with the platform just now: "
     "nothing was saved. Your work is kept; try again in a moment."),
    ("dcm_unreadable", REQUESTS,
     "The Teller Hub could not read the platform just now, so it did not take this step. "
     "Your work is kept; try again in a moment."),
])
def test_a_check_the_hub_could_not_run_is_told_as_such(qapp: Any, reason: str, path: str,
                                                        text: str) -> None:
    unchecked = hub_error(Unavailable("DCM could not be read", status_code=503,
                                      reason=reason), "POST", path)
    assert isinstance(unchecked, HubCheckUnavailable) and unchecked.source == "hub"
    assert not isinstance(unchecked, HubUnavailable | Unavailable)
    assert not is_connectivity_error(unchecked)  # the desk stays online
    assert hub_check_text(unchecked) == text
    assert friendly_message(unchecked) == text


def test_a_hub_that_is_down_is_still_unreachable(qapp: Any) -> None:
    down = hub_error(Unavailable("server error 503", status_code=503), "POST", EVALUATE)
    refused = Unavailable("connection refused", reason=None)
    refused.not_sent = True
    unreached = hub_error(refused, "POST", EVALUATE)
    for lost in (down, unreached):
        assert isinstance(lost, HubUnavailable)
        assert "Teller Hub" in friendly_message(lost)
        assert "phone number" not in friendly_message(lost)
