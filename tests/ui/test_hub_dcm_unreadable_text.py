"""A hub that answered 503 ``dcm_unreadable`` (it could not read the platform just now, and
did nothing) is told as such: not "the Teller Hub cannot be reached" (it answered), not the
phone number's text, and the desk stays online."""

from __future__ import annotations

from typing import Any

from teller_app.platform import HubUnavailable, Unavailable
from teller_app.platform._hub_errors import hub_error
from teller_app.platform.errors import HubCheckUnavailable
from teller_app.ui.error_text import friendly_message, hub_check_text, is_connectivity_error

REQUESTS = "/api/v1/requests"
TEXT = ("The Teller Hub could not read the platform just now, so it did not take this step. "
        "Your work is kept; try again in a moment.")


def test_a_hub_that_could_not_read_the_platform_is_told_as_such(qapp: Any) -> None:
    unread = hub_error(Unavailable("DCM cannot be read: connection refused", status_code=503,
                                   reason="dcm_unreadable"), "POST", REQUESTS)
    assert isinstance(unread, HubCheckUnavailable) and unread.source == "hub"
    assert not isinstance(unread, HubUnavailable | Unavailable)
    assert not is_connectivity_error(unread)  # the desk stays online
    assert hub_check_text(unread) == TEXT
    assert friendly_message(unread) == TEXT
