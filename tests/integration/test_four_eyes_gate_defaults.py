"""The desk's gate without a hub uses the hub's default policy (``default_sensitive``): a new
phone number and a move to another branch need a second person there too, an unchanged
one does not, and KYC up and the segment (options, off by default) pass."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.core.approvals import CUSTOMER_UPDATE, Actor, ApprovalGate, NeedsApproval
from teller_app.core.views import CustomerView

CURRENT = CustomerView("c-1", phone_number="+380501234567", branch_guid="branch-kyiv",
                       kyc_level=2, segment="retail", status="active")


@pytest.mark.parametrize("change", [{"phone_number": "+380679999999"},
                                    {"phone_number": ""},
                                    {"branch_guid": "branch-lviv"}])
def test_phone_and_branch_need_approval_without_a_hub(arun: Any,
                                                      change: dict[str, Any]) -> None:
    gate = ApprovalGate(None, Actor("teller@bank", "branch-kyiv"))
    with pytest.raises(NeedsApproval):
        arun(gate.check(CUSTOMER_UPDATE, "c-1", change, CURRENT))


@pytest.mark.parametrize("change", [{"phone_number": "+380501234567"},
                                    {"branch_guid": "branch-kyiv"},
                                    {"kyc_level": 5}, {"segment": "vip"}])
def test_unchanged_or_optional_fields_pass_without_a_hub(arun: Any,
                                                         change: dict[str, Any]) -> None:
    gate = ApprovalGate(None, Actor("teller@bank", "branch-kyiv"))
    assert arun(gate.check(CUSTOMER_UPDATE, "c-1", change, CURRENT)) is None
