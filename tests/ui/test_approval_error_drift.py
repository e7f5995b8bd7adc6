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


def test_the_maker_is_told_their_request_was_not_applied(main_window) -> None:  # type: ignore[no-untyped-def]
    """The maker's own desk (``request.failed`` on the hub's stream): the same words, with
    what moved, in the banner and the status bar."""
    from teller_app.platform.hub_models import HubEvent

    moved = {"phone_number": {"was": "+380501110000", "now": "+380503330000"}}
    event = HubEvent(id=1, kind="request.failed", request_id="r1", customer_guid="c1",
                     state="failed", result=CUSTOMER_CHANGED + json.dumps(moved))
    main_window.supervision._tell_maker(event)
    said = main_window.status_bar.currentMessage()
    assert said.startswith("Not applied: someone else changed the customer")
    assert "+380503330000" in said and "refused" not in said
    other = HubEvent(id=2, kind="request.failed", request_id="r2", customer_guid="c1",
                     state="failed", result="DCM refused: bad phone")
    main_window.supervision._tell_maker(other)
    assert "the platform refused it" in main_window.status_bar.currentMessage()
    # a limit asked alone: in the currency the request kept at filing (the event names it)
    limit = {"balance_allowed": {"was": "1000", "now": "5000"}}
    kept = HubEvent(id=3, kind="request.failed", request_id="r3", customer_guid="c1",
                    state="failed", result=CUSTOMER_CHANGED + json.dumps(limit),
                    before={"balance_asset_code": "USD"})
    main_window.supervision._tell_maker(kept)
    said = main_window.status_bar.currentMessage()
    plain = said.replace("\u2068", "").replace("\u2069", "")  # each value isolated
    assert "was 1,000.00\u00a0USD, now 5,000.00\u00a0USD" in plain, said


def test_a_direct_change_over_someone_elses_is_told_as_not_saved(qapp) -> None:  # type: ignore[no-untyped-def]
    from teller_app.core.customer_checks import StaleFields

    text = approval_error_text(StaleFields({"is_disabled": True}))
    assert text.startswith("Someone changed this customer meanwhile: nothing was saved")
