"""Every place that words a four-eyes outcome (``approval_error_text``: the in-place
approval, the cash flows, the inbox) says a request that ended because its customer changed
after filing was not applied, not that the platform refused it: nothing was sent."""

from __future__ import annotations

import json

from teller_app.core.approvals import ExecutionFailed
from teller_app.platform.hub_models import CUSTOMER_CHANGED, ChangeRequest
from teller_app.ui.approval_errors import approval_error_text


def _failed(result: str) -> ExecutionFailed:
    return ExecutionFailed(ChangeRequest(id="r1", kind="customer_update", customer_guid="c1",
                                         state="failed", result=result))


def test_a_customer_changed_meanwhile_is_told_as_not_applied(qapp) -> None:  # type: ignore[no-untyped-def]
    moved = {"phone_number": {"was": "+380501110000", "now": "+380503330000"}}
    text = approval_error_text(_failed(CUSTOMER_CHANGED + json.dumps(moved)))
    assert text.startswith("Not applied: someone else changed the customer")
    assert "+380503330000" in text and "refused" not in text


def test_a_platform_refusal_is_still_a_refusal(qapp) -> None:  # type: ignore[no-untyped-def]
    text = approval_error_text(_failed("DCM refused: bad phone"))
    assert text.startswith("Approved, but the platform refused the change")
