"""What the teller reads when versions differ: a write refused because this desk is older
than the hub allows (the hub's API or its /dcm proxy) says to ask IT for an update; one a hub
process refused during an upgrade says nothing was done (never "not known whether it went
through"); and a till state this desk does not know reads as not closed, never as its raw
word nor as closed."""

from __future__ import annotations

from typing import Any

from teller_app.platform import HubUnavailable, PlatformError, Unavailable
from teller_app.platform.errors import DeskTooOld
from teller_app.ui.error_text import (
    answer_may_be_lost,
    desk_too_old_text,
    friendly_message,
    hub_refusal_text,
    hub_too_old_text,
)
from teller_app.ui.till_text import is_closed_state, till_state_text

TILLS_OPEN = "/api/v1/tills/open"


def test_a_desk_too_old_is_told_to_ask_it(qapp: Any) -> None:
    hub = DeskTooOld("this desk is older than the Teller Hub allows: update Teller",
                     status_code=426, method="POST", path=TILLS_OPEN, reason="desk_too_old")
    hub.source = "hub"
    proxied = PlatformError("this desk is older", status_code=426, method="PUT",
                            path="/customers/x", reason="desk_too_old")  # through /dcm
    text = desk_too_old_text()
    assert "ask IT to update Teller" in text
    assert friendly_message(hub) == friendly_message(proxied) == hub_refusal_text(hub) == text


def test_a_hub_process_too_old_did_nothing(qapp: Any) -> None:
    refused = HubUnavailable("the Teller Hub cannot be reached: this hub process is older",
                             status_code=503, method="POST", path=TILLS_OPEN,
                             reason="hub_too_old")
    lost = HubUnavailable("the Teller Hub cannot be reached: server error", status_code=503,
                          method="POST", path=TILLS_OPEN)
    assert not answer_may_be_lost(refused) and answer_may_be_lost(lost)
    assert friendly_message(refused) == hub_too_old_text()
    assert "nothing was done" in hub_too_old_text()
    assert friendly_message(lost) != hub_too_old_text()
    proxied = Unavailable("older", status_code=503, method="PUT", path="/customers/x",
                          reason="hub_too_old")  # Mode B through /dcm
    assert friendly_message(proxied) == hub_too_old_text()


def test_only_a_known_closed_state_reads_as_closed(qapp: Any) -> None:
    assert is_closed_state("closed")
    for state in ("cosign", "open", "close_cosign", "close_review", "", "closed "):
        assert not is_closed_state(state)
    unknown = till_state_text("close_review")
    assert unknown == "Not closed — ask a supervisor"
    assert till_state_text("") == unknown and "close_review" not in unknown
    assert till_state_text("closed") == "Closed"
    assert till_state_text("close_cosign") != unknown
