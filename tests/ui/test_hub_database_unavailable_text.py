"""What the teller reads when the hub's database failed: a write the hub answered 503
``database_unavailable`` (nothing was done) says so and to try again when the hub is back,
never "not known whether this went through"; a 503 without the code (a proxy's, or one
after the hub had committed something), a timeout, or the code on another status stays in
doubt; a read keeps its own words."""

from __future__ import annotations

from typing import Any

from teller_app.platform import HubUnavailable, Timeout, Unavailable
from teller_app.platform.errors import DATABASE_UNAVAILABLE
from teller_app.ui.error_text import answer_may_be_lost, friendly_message, hub_database_text

TILL_TRANSFER = "/api/v1/tills/current/transfers"


def _hub(status: int | None, reason: str | None, method: str = "POST",
         path: str = TILL_TRANSFER) -> HubUnavailable:
    return HubUnavailable("the Teller Hub cannot be reached: the hub database is unavailable",
                          status_code=status, method=method, path=path, reason=reason)


def test_a_write_the_hub_database_refused_did_nothing(qapp: Any) -> None:
    refused = _hub(503, DATABASE_UNAVAILABLE)
    assert not answer_may_be_lost(refused)
    assert friendly_message(refused) == hub_database_text()
    assert "nothing was done" in hub_database_text()
    assert "try again when the hub is back" in hub_database_text()
    proxied = Unavailable("the hub database is unavailable", status_code=503, method="PUT",
                          path="/customers/x", reason=DATABASE_UNAVAILABLE)  # Mode B, /dcm
    assert friendly_message(proxied) == hub_database_text()


def test_only_that_code_says_nothing_was_done(qapp: Any) -> None:
    in_doubt = [
        _hub(503, None),  # a proxy's 503, or the hub's after a commit
        _hub(502, DATABASE_UNAVAILABLE),  # the code on another status is not the hub's
        _hub(None, None),  # no answer at all
    ]
    for exc in in_doubt:
        assert answer_may_be_lost(exc), exc
        assert friendly_message(exc) != hub_database_text()
        assert "not known whether" in friendly_message(exc)
    timeout = Timeout("no answer in time", method="POST", path=TILL_TRANSFER)
    assert friendly_message(timeout) != hub_database_text()
    read = _hub(503, DATABASE_UNAVAILABLE, method="GET", path="/api/v1/tills/current")
    assert friendly_message(read) != hub_database_text()  # a read: "cannot be reached"
    sign_in = _hub(503, DATABASE_UNAVAILABLE, path="/api/v1/sessions")
    assert friendly_message(sign_in) != hub_database_text()
