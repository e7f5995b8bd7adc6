"""The supervisors' inbox describes a cash-limits request field by field, the close tolerance
included (a raise is a relaxation someone must see before approving it)."""

from __future__ import annotations

from teller_app.ui.settings_change_text import describe_settings_change

LIMITS = {"teller_daily_limit": "50000.00", "teller_unapproved_daily": "20000.00",
          "customer_daily_threshold": "0.00"}


def test_a_raised_close_tolerance_is_described(english: object) -> None:  # English numbers
    text = describe_settings_change("cash_limits_update", {**LIMITS, "close_tolerance": "0.00"},
                                    {**LIMITS, "close_tolerance": "500.00"})
    assert text.startswith("the over/short a teller may close with alone: "), text
    assert "0" in text and "500" in text
    assert text.endswith(": 0.00 → 500.00"), text  # the old value, then the new one


def test_limits_stored_before_the_tolerance_read_as_zero() -> None:
    assert describe_settings_change("cash_limits_update", LIMITS,
                                    {**LIMITS, "close_tolerance": "0.00"}) == (
        "no change to what is in force")
    assert "over/short" in describe_settings_change(
        "cash_limits_update", LIMITS, {**LIMITS, "close_tolerance": "10.00"})


def test_turning_off_the_one_phone_rule_is_named_for_the_approver() -> None:
    """``unique_phone`` (hub policy): the second administrator reads what goes, never the key."""
    text = describe_settings_change("policy_update", {"unique_phone": True},
                                    {"unique_phone": False})
    assert "one customer per phone number: off" in text and "unique_phone" not in text
    assert describe_settings_change("policy_update", {}, {"unique_phone": True}) == (
        "no change to what is in force")
