"""A request that left the queue undecided is told by what the hub's ``request.withdrawn``
event says. After a till close voided the teller's pending big-cash request the status bar
said "Your change request was withdrawn.": the teller withdrew nothing, and it was no change
request. The event names the request's kind but not who ended it or why (the teller's
withdrawal, their void of the draft, the till's close all send the same event), so a cash
request is told neutrally; any other request ends so only by its maker's withdrawal. The
events are the hub's own payload (``commands.summary``, as ``events.emit`` stores it)."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.hub import commands
from teller_app.platform.hub_models import HubEvent


def _withdrawn(kind: str | None) -> HubEvent:
    cmd = commands.Command(
        "r1", kind or "", "c1", "b1", "{}", "ab" * 32, {}, "teller.kyiv@demo.bank", "why",
        0, commands.WITHDRAWN, None, None, 1, None, None, None, None)
    data: dict[str, Any] = commands.summary(cmd)
    if kind is None:  # an older hub's event: no kind
        data.pop("request_kind")
    return HubEvent.model_validate({"id": 7, "kind": "request.withdrawn", "ts_ms": 1, **data})


@pytest.mark.parametrize(("kind", "told"), [
    # the till's close voided the draft (or the teller voided it, or withdrew it)
    ("cash_confirm", "Your cash confirmation request ended without being decided."),
    ("customer_update", "Your change request was withdrawn."),  # only its maker does
    ("policy_update", "Your change request was withdrawn."),  # a bank setting's: the same
    (None, "Your request ended without being decided."),
])
def test_a_withdrawn_request_is_told_by_its_kind(
        main_window: Any, kind: str | None, told: str) -> None:
    main_window.supervision._tell_maker(_withdrawn(kind))
    assert main_window.status_bar.currentMessage() == told


def _decided(kind: str, event_kind: str) -> HubEvent:
    return _withdrawn(kind).model_copy(update={"kind": event_kind})


@pytest.mark.parametrize(("event_kind", "told"), [
    ("request.rejected", "Your cash operation was not approved."),
    ("request.applied", "A supervisor approved your cash operation and it was confirmed."),
    ("request.failed", "A supervisor approved your cash operation, but it could not be "
                       "confirmed."),
])
def test_a_cash_confirmations_end_is_no_change_requests(
        main_window: Any, event_kind: str, told: str) -> None:
    """A till close rejects a pending big-cash request ("voided: the till closed"): it was
    told "Your change request was rejected." A customer change keeps its words."""
    main_window.supervision._tell_maker(_decided("cash_confirm", event_kind))
    assert main_window.status_bar.currentMessage() == told
    main_window.supervision._tell_maker(_decided("customer_update", "request.rejected"))
    assert main_window.status_bar.currentMessage() == "Your change request was rejected."
