"""A hub that answered 503 naming a check it could not run (``phone_check_unavailable``: it
could not read DCM to check a phone number) is no unreachable hub: the desk says what
happened and that nothing was saved, and keeps its online state. A 503 without such a code,
or no answer at all, is still ``HubUnavailable`` as before."""

from __future__ import annotations

from typing import Any

from teller_app.platform import HubUnavailable, Unavailable
from teller_app.platform._hub_errors import hub_error
from teller_app.platform.errors import HubCheckUnavailable
from teller_app.ui.error_text import friendly_message, is_connectivity_error

EVALUATE = "/api/v1/policy/evaluate"


def test_a_phone_check_the_hub_could_not_run_is_told_as_such(qapp: Any) -> None:
    unchecked = hub_error(Unavailable("DCM could not be read", status_code=503,
                                      reason="phone_check_unavailable"), "POST", EVALUATE)
    assert isinstance(unchecked, HubCheckUnavailable) and unchecked.source == "hub"
    assert not isinstance(unchecked, HubUnavailable | Unavailable)
    assert not is_connectivity_error(unchecked)  # the desk stays online
    assert friendly_message(unchecked) == (
        "The Teller Hub could not check the phone number with the platform just now: "
        "nothing was saved. Your work is kept; try again in a moment.")


def test_a_hub_that_is_down_is_still_unreachable(qapp: Any) -> None:
    down = hub_error(Unavailable("server error 503", status_code=503), "POST", EVALUATE)
    refused = Unavailable("connection refused", reason=None)
    refused.not_sent = True
    unreached = hub_error(refused, "POST", EVALUATE)
    for lost in (down, unreached):
        assert isinstance(lost, HubUnavailable)
        assert "Teller Hub" in friendly_message(lost)
        assert "phone number" not in friendly_message(lost)
