"""A customer's allowed balance (limit) reads in the currency the request carries, on the
audit trail and in the inbox's "changed since filing" warning: each side in its own (at
filing: the one ``before`` kept; wanted: the change's, else the one at filing; now: the
customer's, when it moved too). The hub's audit rows carry the change, and for a limit asked
alone the currency it had at filing (``before``); with none (a customer without one, an older
hub's row) the limit reads as an amount alone, never in a hryvnia the customer may not
have. The warning's values are isolated on one line, as the inbox's detail has them."""

from __future__ import annotations

from typing import Any

from teller_app.hub.commands import Command, audit_facts
from teller_app.platform.hub_models import AuditRecord, ChangeRequest
from teller_app.ui.approvals_detail import change_from_to
from teller_app.ui.approvals_drift import change_with_current, moved_warning
from teller_app.ui.audit_details import detail_items, details_text
from teller_app.ui.audit_entry import AuditEntryDialog
from teller_app.ui.audit_model import AuditTableModel
from teller_app.ui.card_actions import awaiting_approval
from teller_app.ui.change_request_dialog import describe_change

NBSP, FSI, PDI = "\u00a0", "\u2068", "\u2069"
CUSTOMER = "c94eb2af-2f0e-4b8e-9a57-1f3d2e8b6a10"


def _change(detail: dict[str, Any]) -> str:
    return {label: text for label, text, _known in detail_items(detail)}["Change"]


def _request(change: dict[str, Any], before: dict[str, Any],
             current: dict[str, Any]) -> ChangeRequest:
    return ChangeRequest(id="r-1", kind="customer_update", customer_guid=CUSTOMER,
                         change=change, before=before, current=current)


def _hub_row(before: dict[str, Any]) -> dict[str, Any]:
    """A decision's row as the hub writes it for a limit asked alone."""
    cmd = Command("r-1", "customer_update", CUSTOMER, None, '{"balance_allowed": "500.00"}',
                  "0" * 64, before, "teller.kyiv@demo.bank", "limit", 0, "approved",
                  "sup@demo.bank", "dcm", 0, "", 0, None, None)
    return {"decision": "approved", "maker": cmd.maker, **audit_facts(cmd)}


def test_a_limit_alone_on_the_trail_claims_no_currency(qtbot: Any, english: None) -> None:
    row = _hub_row({"balance_allowed": "100.00", "balance_asset_code": ""})  # none at filing
    assert "before" not in row
    assert _change(row) == "set the allowed balance to 500.00"  # was "500.00 UAH"
    entry = AuditRecord(seq=1, ts_ms=1_767_348_005_000, actor="sup@demo.bank",
                        action="decision", entity="request:r-1", detail=row)
    model = AuditTableModel()
    model.set_entries([entry])
    assert "Change: set the allowed balance to 500.00;" in model.row_texts(entry)[5]
    dialog = AuditEntryDialog(entry, actor="", customer="")
    qtbot.addWidget(dialog)
    assert "Change: set the allowed balance to 500.00\n" in dialog.details.toPlainText()


def test_the_hub_s_row_words_a_limit_alone_in_its_currency_at_filing(english: None) -> None:
    row = _hub_row({"balance_allowed": "100.00", "balance_asset_code": "USD", "name": "Ірина"})
    assert row["before"] == {"balance_asset_code": "USD"}  # the currency, no more of it
    assert _change(row) == f"set the allowed balance to 500.00{NBSP}USD"


def test_a_limit_reads_in_the_currency_the_request_carries(english: None) -> None:
    asked = {"kind": "customer_update",
             "change": {"balance_allowed": "500.00", "balance_asset_code": "USD"}}
    # the currency is named with the amount, not again on its own
    assert _change(asked) == f"set the allowed balance to 500.00{NBSP}USD"
    kept = {"kind": "customer_update", "change": {"balance_allowed": "500.00"},
            "before": {"balance_allowed": "100.00", "balance_asset_code": "EUR"}}
    assert _change(kept) == f"set the allowed balance to 500.00{NBSP}EUR"
    assert _change({"change": {"balance_allowed": "0"}}) == "set the allowed balance to no limit"
    assert "\n" not in _change({"change": {"balance_allowed": "5\nDecision: approved"}})


def test_a_moved_limit_reads_each_side_in_its_own_currency(english: None) -> None:
    switched = _request({"balance_allowed": "500", "balance_asset_code": "EUR"},
                        {"balance_allowed": "1000", "balance_asset_code": "USD"},
                        {"balance_allowed": "2000"})
    assert (f"allowed balance: at filing {FSI}1,000.00{NBSP}USD{PDI} → wanted "
            f"{FSI}500.00{NBSP}EUR{PDI}, now {FSI}2,000.00{NBSP}USD{PDI}"
            ) in moved_warning(switched)
    # asked alone, and another desk moved the customer to hryvnia meanwhile
    moved = _request({"balance_allowed": "500"},
                     {"balance_allowed": "1000", "balance_asset_code": "USD"},
                     {"balance_allowed": "2000", "balance_asset_code": "UAH"})
    told = change_with_current(moved)
    assert (f"at filing {FSI}1,000.00{NBSP}USD{PDI} → wanted {FSI}500.00{NBSP}USD{PDI}, "
            f"now {FSI}2,000.00{NBSP}UAH{PDI}") in told
    assert f"allowed balance currency: at filing {FSI}USD{PDI}, now {FSI}UAH{PDI}" in told


def test_a_moved_value_stays_on_its_line(english: None) -> None:
    request = _request({"surname": "Wanted\nDecision: approved"}, {"surname": "Was"},
                       {"surname": "Now\r\nComment: fine"})
    warning = moved_warning(request)
    assert "\n" not in warning and "\r" not in warning
    assert f"wanted {FSI}Wanted Decision: approved{PDI}" in warning


def test_the_hub_s_kept_currency_is_said_once_on_the_trail(english: None) -> None:
    row = _hub_row({"balance_allowed": "100.00", "balance_asset_code": "USD"})
    text = details_text(row)
    assert f"Change: set the allowed balance to 500.00{NBSP}USD" in text
    assert "before" not in text and "balance_asset_code" not in text  # not again, raw


def test_a_limit_alone_reads_in_its_currency_at_filing_wherever_a_request_is_shown(
        english: None) -> None:
    request = _request({"balance_allowed": "500"},
                       {"balance_allowed": "100", "balance_asset_code": "USD"}, {})
    # the inbox's Change column, the approve-here summary, the card's "Awaiting approval"
    assert change_with_current(request) == f"set the allowed balance to 500.00{NBSP}USD"
    assert describe_change(request.displayed_change(), request.before) == \
        f"set the allowed balance to 500.00{NBSP}USD"
    assert awaiting_approval(request) == \
        f"Awaiting approval: set the allowed balance to 500.00{NBSP}USD"
    # asked with its currency: named once, with the amount
    both = {"balance_allowed": "500", "balance_asset_code": "EUR"}
    assert describe_change(both) == f"set the allowed balance to 500.00{NBSP}EUR"


def test_a_limit_not_kept_at_filing_reads_in_the_currency_asked(english: None) -> None:
    """A request whose ``before`` kept the currency but not the limit (an older hub's): the
    limit is described as asked, in that currency, not as an amount alone."""
    request = _request({"balance_allowed": "500", "balance_asset_code": "USD"},
                       {"balance_asset_code": "UAH"}, {})
    text = change_from_to(request)
    assert f"set the allowed balance to 500.00{NBSP}USD" in text


def test_a_moved_limit_without_a_currency_reads_as_amounts_alone(english: None) -> None:
    """No side knows a currency: the warning shows amounts, never "None" or a hryvnia."""
    request = _request({"balance_allowed": "500"}, {"balance_allowed": "100"},
                       {"balance_allowed": "300"})
    text = change_with_current(request)
    assert "500.00" in text and "300.00" in text and "100.00" in text
    assert "None" not in text and "UAH" not in text
