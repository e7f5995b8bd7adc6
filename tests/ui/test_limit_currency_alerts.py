"""A limit the supervisor reads outside a request's own row is worded in the customer's
balance currency, as the inbox words a request's: the watcher's "changed without approval"
alert (the hub names the currency with the limit's amounts; an older hub's alert: the amount
alone), and a request's "not applied: someone else changed the customer" (its ``before``
kept the currency at filing; the currency moved too: "now" in the new one). Before, the
alert read the amount alone and the drift read hryvnia whatever the customer held."""

from __future__ import annotations

import json

from teller_app.core.approvals import ExecutionFailed
from teller_app.platform.hub_models import CUSTOMER_CHANGED, ChangeRequest
from teller_app.ui.approval_errors import approval_error_text
from teller_app.ui.approvals_alerts import AlertsList, alert_text
from teller_app.ui.approvals_drift import customer_changed_text
from teller_app.ui.audit_details import details_text

NBSP = "\u00a0"
LIMIT_MOVED = {"balance_allowed": {"was": "1000", "now": "5000"}}


def _plain(text: str) -> str:
    """``text`` without its direction isolates (each value has them)."""
    return text.replace("\u2068", "").replace("\u2069", "")


def _alert_fields(**limit: object) -> dict[str, object]:
    return {"balance_allowed": {"before": "1000", "after": "5000", **limit}}


def test_an_alert_words_a_limit_in_the_currency_the_hub_names(english: None) -> None:
    text = alert_text("olena", _alert_fields(balance_asset_code="USD"), ["balance_allowed"])
    assert text == (f"olena: set the allowed balance to 5,000.00{NBSP}USD "
                    "(no approved request)")
    alerts = AlertsList()  # live from the event stream: the same words
    alerts.add("c-1", "olena", _alert_fields(balance_asset_code="EUR"), ["balance_allowed"])
    assert alerts.list.item(0).text().endswith(f"5,000.00{NBSP}EUR (no approved request)")


def test_an_older_hubs_alert_reads_the_amount_alone(english: None) -> None:
    for fields in (_alert_fields(), _alert_fields(balance_asset_code=None),
                   _alert_fields(balance_asset_code="")):
        text = alert_text("olena", fields, ["balance_allowed"])
        assert text == "olena: set the allowed balance to 5,000.00 (no approved request)", text


def test_a_moved_limit_reads_in_the_requests_currency(english: None) -> None:
    told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(LIMIT_MOVED),
                                 {"balance_asset_code": "USD", "balance_allowed": "1000"})
    assert told is not None
    assert f"was \u20681,000.00{NBSP}USD\u2069, now \u20685,000.00{NBSP}USD\u2069" in told, told
    # its currency moved too: "now" in the customer's new one
    both = {**LIMIT_MOVED, "balance_asset_code": {"was": "USD", "now": "EUR"}}
    told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(both),
                                 {"balance_asset_code": "USD"})
    assert told is not None
    assert f"was 1,000.00{NBSP}USD, now 5,000.00{NBSP}EUR" in _plain(told), told


def test_a_moved_limit_without_a_known_currency_reads_the_amount_alone(english: None) -> None:
    for before in (None, {}, {"balance_asset_code": None}):
        told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(LIMIT_MOVED), before)
        assert told is not None
        assert "was 1,000.00, now 5,000.00)" in _plain(told), told
        assert "UAH" not in told and "None" not in told


def test_the_approvers_outcome_names_the_requests_currency(english: None) -> None:
    request = ChangeRequest(id="r1", kind="customer_update", customer_guid="c1",
                            change={"balance_allowed": "9000"},
                            before={"balance_allowed": "1000", "balance_asset_code": "USD"},
                            state="failed", result=CUSTOMER_CHANGED + json.dumps(LIMIT_MOVED))
    text = approval_error_text(ExecutionFailed(request))
    assert f"was 1,000.00{NBSP}USD, now 5,000.00{NBSP}USD" in _plain(text), text


def test_the_trail_words_an_alerts_limit_in_the_currency_the_hub_names(english: None) -> None:
    row = {"fields": _alert_fields(balance_asset_code="USD"), "reasons": ["balance_allowed"]}
    text = details_text(row)
    # the new amount's currency: the old one's may have moved with it, so it reads alone
    assert f"allowed balance: 1,000.00 → 5,000.00{NBSP}USD" in text, text
    assert "balance_asset_code" not in text  # said once, with the amounts
    older = details_text({"fields": _alert_fields(), "reasons": ["balance_allowed"]})
    assert "1,000.00 → 5,000.00" in older and "₴" not in older and "UAH" not in older, older


def test_the_trail_words_a_moved_limit_in_the_requests_currency(english: None) -> None:
    row = {"result": CUSTOMER_CHANGED + json.dumps(LIMIT_MOVED),
           "before": {"balance_asset_code": "USD"}}
    text = details_text(row)
    assert f"was 1,000.00{NBSP}USD, now 5,000.00{NBSP}USD" in _plain(text), text


def test_a_limit_whose_currency_was_cleared_reads_the_new_amount_alone(english: None) -> None:
    cleared = {**LIMIT_MOVED, "balance_asset_code": {"was": "USD", "now": None}}
    told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(cleared),
                                 {"balance_asset_code": "USD"})
    assert told is not None
    assert f"was 1,000.00{NBSP}USD, now 5,000.00;" in _plain(told), told
