""""Show request …" (the way from a ``customer_change_in_progress`` refusal to its listed
blocker) is there only while it leads somewhere: it goes when the blocker leaves the list
(resumed at another desk), when another message takes the status line, and it is never
offered for a blocker the inbox does not list. A fake service: the hub's real 409 and the
jump itself are in ``test_inbox_jumps_to_blocker``."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from teller_app.core.approval_outcomes import BlockingChange, ChangeInProgress
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox


def _request(state: str, **extra: Any) -> ChangeRequest:
    change = {"balance_allowed": "3000"}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                         maker="teller@demo.bank", reason="raise", created_at=time.time(),
                         state=state, **extra)


class Refusing:
    """The hub refuses every approval: ``blocker`` holds the customer."""

    link = None
    platform = SimpleNamespace()

    def __init__(self, listed: list[ChangeRequest], blocker: str) -> None:
        self.listed, self.blocker = {r.id: r for r in listed}, blocker

    async def pending(self) -> list[ChangeRequest]:
        return [r for r in self.listed.values() if r.pending]

    async def get(self, request_id: str) -> ChangeRequest:
        return self.listed[request_id]

    async def approve(self, request: ChangeRequest, comment: str = "") -> ChangeRequest:
        raise ChangeInProgress("held", BlockingChange(self.blocker, awaiting_resume=True))


async def _nobody(keys: list[str]) -> dict[str, str]:
    return {}


def _inbox(qtbot: Any, ops: Any, service: Refusing) -> ApprovalsInbox:
    inbox = ApprovalsInbox(ops, lambda: service,  # type: ignore[arg-type, return-value]
                           employee_names=_nobody, customer_names=_nobody)
    qtbot.addWidget(inbox)
    inbox.start()
    return inbox


def _refused(qtbot: Any, inbox: ApprovalsInbox, request: ChangeRequest) -> None:
    inbox.status.clear()
    inbox.table.selectRow(inbox.model.pending_ids().index(request.id))
    inbox.approve_button.click()
    qtbot.waitUntil(lambda: bool(inbox.status.text()), timeout=5000)


@pytest.mark.usefixtures("english")
def test_the_button_goes_with_its_blocker_and_its_message(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    waiting = _request("pending")
    blocker = _request("approved", execution_started_at=0.0, result="interrupted: hub died")
    service = Refusing([waiting, blocker], blocker.id)
    inbox = _inbox(qtbot, ops, service)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    inbox.on_event(HubEvent(id=1, kind="request.interrupted", request_id=blocker.id))
    qtbot.waitUntil(lambda: inbox.model.state_of(blocker.id) == "approved", timeout=5000)

    _refused(qtbot, inbox, waiting)
    assert inbox.jump.button.isVisibleTo(inbox)
    # resumed at another desk: off the list, nothing to show
    inbox.on_event(HubEvent(id=2, kind="request.applied", request_id=blocker.id))
    assert inbox.model.state_of(blocker.id) is None
    assert not inbox.jump.button.isVisibleTo(inbox)


@pytest.mark.usefixtures("english")
def test_another_message_takes_the_button_away(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    waiting, other = _request("pending"), _request("pending")
    service = Refusing([waiting, other], other.id)
    inbox = _inbox(qtbot, ops, service)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=5000)
    _refused(qtbot, inbox, waiting)
    assert inbox.jump.button.isVisibleTo(inbox)  # a pending blocker is listed too
    inbox.reject_button.click()  # "A rejection needs a comment."
    assert "comment" in inbox.status.text()
    assert not inbox.jump.button.isVisibleTo(inbox)


@pytest.mark.usefixtures("english")
def test_a_blocker_not_listed_offers_nothing(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    waiting = _request("pending")
    inbox = _inbox(qtbot, ops, Refusing([waiting], str(uuid.uuid4())))
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    _refused(qtbot, inbox, waiting)
    assert "Request " in inbox.status.text()
    assert not inbox.jump.button.isVisibleTo(inbox)
