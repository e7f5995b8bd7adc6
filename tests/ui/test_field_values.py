"""A customer field's value is worded once (``ui/field_values``) for the approvals desk's
"was → now", the edit form's "changed meanwhile" and a change request's description: codes
and yes/no in words, nothing as "(none)", the allowed balance in the asset the change names
(it was hryvnia whatever the change said). Checked in Ukrainian, with the real .qm."""

from __future__ import annotations

import json

from teller_app.platform.hub_models import CUSTOMER_CHANGED
from teller_app.ui.approvals_drift import customer_changed_text
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.data_text import status_text
from teller_app.ui.field_values import field_value_text

NBSP = "\u00a0"



def test_each_kind_of_value_in_words(ukrainian: None) -> None:
    assert field_value_text("status", "blocked") == status_text("blocked") != "blocked"
    assert field_value_text("segment", "") == "(немає)"
    assert field_value_text("paternal_name", None) == "(немає)"
    assert field_value_text("is_disabled", True) == "Вимкнений"
    assert field_value_text("is_disabled", False) == "Увімкнений"
    assert field_value_text("balance_allowed", "150000.5") == f"150{NBSP}000,50{NBSP}₴"
    assert field_value_text("balance_allowed", "7", minor_unit=0, currency=None) == "7"
    assert field_value_text("balance_allowed", "not a number") == "not a number"
    assert field_value_text("branch_guid", None) == "(головний офіс — без відділення)"
    assert field_value_text("branch_guid", "b-1", branch_name=lambda _g: "Поділ") == "Поділ"
    assert field_value_text("branch_guid", "b-2", branch_name=lambda _g: "") == "b-2"
    assert field_value_text("kyc_level", 2) == "2"


def test_a_request_and_its_drift_say_the_same_words(ukrainian: None) -> None:
    # the allowed balance in the asset the change names, not always hryvnia
    # (named once, with the amount)
    assert describe_change({"balance_allowed": "10", "balance_asset_code": "EUR"}) == (
        f"встановити дозволений баланс 10,00{NBSP}EUR")
    assert describe_change({"paternal_name": ""}).endswith(" → (немає)")  # was "… → "
    told = customer_changed_text(CUSTOMER_CHANGED + json.dumps(
        {"is_disabled": {"was": False, "now": True}, "segment": {"was": "", "now": "vip"}}))
    assert told is not None
    assert f"{field_value_text('is_disabled', False)}" in told  # was "ні" (no)
    assert f"{field_value_text('is_disabled', True)}" in told
    assert "(немає)" in told  # an empty segment was "—"
