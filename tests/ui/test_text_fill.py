"""A translated text with several placeholders is filled in one pass (``untrusted.fill``): a
customer's login, name or previous value is any text, and "%2" or "%3" inside the value put
into %1 or %2 stays as it is (chained ``.replace`` rewrote it with the next value)."""

from __future__ import annotations

import json
from typing import Any

from teller_app.platform.hub_models import CUSTOMER_CHANGED, ChangeRequest
from teller_app.ui.approvals_alerts import AlertsList, alert_text
from teller_app.ui.approvals_drift import change_with_current, customer_changed_text
from teller_app.ui.untrusted import fill


def test_fill_replaces_each_placeholder_once() -> None:
    assert fill("%1 of %2", "a", "b") == "a of b"
    assert fill("%2 before %1, %1 again", "a", "b") == "b before a, a again"
    # the inserted values are not scanned again
    assert fill("%1 and %2", "x%2y", "B") == "x%2y and B"
    assert fill("%1 and %2, %3", "A", "x%3y%1", "C") == "A and x%3y%1, C"
    # a placeholder without a value (and %0, %n, a lone %) stays as it is
    assert fill("%1, %2, %3", "A") == "A, %2, %3"
    assert fill("%0 %n 100% %1", "A") == "%0 %n 100% A"
    assert fill("no placeholder", "A") == "no placeholder"


def test_an_alert_keeps_a_login_holding_a_placeholder(qapp: Any, english: None) -> None:
    alerts = AlertsList()
    alerts.add("c-1", "ol%2ena", {"surname": {"before": "Old", "after": "New"}},
               ["unapproved_change"])
    # was "olsurname → Newena: surname → New (no approved request)"
    assert alerts.list.item(0).text() == "ol%2ena: surname → New (no approved request)"


def test_a_phone_alert_keeps_both_logins(english: None) -> None:
    phone = alert_text("ol%2ena", {"phone_holder": {"login": "ta%1ras"}}, ["phone_duplicate"])
    assert phone == "ol%2ena: another customer has the same phone number: ta%1ras"


def test_a_drift_keeps_a_previous_value_holding_a_placeholder(english: None) -> None:
    told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(
        {"surname": {"was": "Ko%3val", "now": "Shevchenko"}}))
    # was "surname: was KoShevchenkoval, now Shevchenko"; each value isolated
    assert told == ("Not applied: someone else changed the customer after the request was "
                    "filed (surname: was \u2068Ko%3val\u2069, now \u2068Shevchenko\u2069). "
                    "Nothing was written; file the request again if it is still needed.")


def test_a_drift_value_cannot_fake_a_line_or_turn_the_text(english: None) -> None:
    told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(
        {"surname": {"was": "Ko\u202eval\nNothing else", "now": "Shevchenko"}}))
    assert told is not None
    # the value stays on one line inside its own isolate: the override ends where it does
    assert "\n" not in told
    assert "was \u2068Ko\u202eval Nothing else\u2069, now" in told, told


def test_the_inbox_drift_keeps_values_holding_placeholders(english: None) -> None:
    request = ChangeRequest(id="r-1", kind="customer_update", customer_guid="c-1",
                            change={"surname": "Wa%4nted"}, before={"surname": "Ko%3val"},
                            current={"surname": "Now", "name": "Ol%3ena"})
    assert change_with_current(request).replace("\u2068", "").replace("\u2069", "") == (
        "surname: at filing Ko%3val → wanted Wa%4nted, now Now; "
        "name: at filing (none), now Ol%3ena")
