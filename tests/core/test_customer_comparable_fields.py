"""The fields a save compares with the platform (``comparable_values``, named one by one) are
every field a ``CustomerUpdate`` changes: one added to the update and not to the list would
be written from an older copy unchecked."""

from __future__ import annotations

from decimal import Decimal

from teller_app.core.customer_checks import comparable_values, original_values
from teller_app.core.views import CustomerView
from teller_app.platform import CustomerUpdate


def test_every_field_an_update_changes_is_compared() -> None:
    view = CustomerView(wallet_user_guid="g-1")
    assert set(comparable_values(view)) == set(CustomerUpdate.model_fields) - {
        "wallet_user_guid"}


def test_the_values_are_the_view_s_own() -> None:
    view = CustomerView(wallet_user_guid="g-1", surname="Коваль", kyc_level=2,
                        is_disabled=True, balance_allowed=Decimal("10.50"), status="active",
                        branch_guid="b-1")
    values = original_values(view, "blocked")  # the status the form started from wins
    assert values["surname"] == "Коваль" and values["kyc_level"] == 2
    assert values["is_disabled"] is True and values["balance_allowed"] == Decimal("10.50")
    assert values["branch_guid"] == "b-1" and values["status"] == "blocked"
    assert original_values(None, None) == {}
