"""The supervisor approving a customer change refused while another approved change to the
same customer executes or waits for Resume (the hub's 409 ``customer_change_in_progress``) is
told which request blocks it (the body's ``blocking``, as a typed ``BlockingChange``), and that
theirs still waits; a blocker the hub did not name (another branch's) reads as before."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from teller_app.core.approval_outcomes import BlockingChange, ChangeInProgress, four_eyes_error
from teller_app.platform import Conflict
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_inbox import ApprovalsInbox

BLOCKER = "9b41c0d2-1111-4222-8333-444455556666"


def _refusal(blocking: dict[str, Any] | None) -> Exception:
    """The 409 as the desk's hub client raises it (``detail``: the body's other fields)."""
    exc = Conflict("the hub's English text", status_code=409,
                   reason="customer_change_in_progress")
    exc.source = "hub"
    exc.detail = {} if blocking is None else {"blocking": blocking}  # type: ignore[attr-defined]
    return four_eyes_error(exc)


def _request() -> ChangeRequest:
    change = {"balance_allowed": "3000"}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                         maker="teller@demo.bank", reason="raise", created_at=time.time(),
                         state="pending")


class Refusing:
    """An approvals service whose approval the hub refuses with ``refusal``."""

    link = None
    platform = SimpleNamespace()

    def __init__(self, request: ChangeRequest, refusal: Exception) -> None:
        self.request, self.refusal = request, refusal

    async def pending(self) -> list[ChangeRequest]:
        return [self.request]

    async def approve(self, request: ChangeRequest, comment: str = "") -> ChangeRequest:
        raise self.refusal


async def _nobody(keys: list[str]) -> dict[str, str]:
    return {}


def _approved_in_inbox(qtbot: Any, ops: Any, refusal: Exception) -> str:
    request = _request()
    inbox = ApprovalsInbox(ops, lambda: Refusing(request, refusal),  # type: ignore[arg-type, return-value]
                           employee_names=_nobody, customer_names=_nobody)
    qtbot.addWidget(inbox)
    inbox.start()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    inbox.table.selectRow(0)
    inbox.approve_button.click()
    qtbot.waitUntil(lambda: bool(inbox.status.text()), timeout=5000)
    assert inbox.model.pending_ids() == [request.id]  # still pending, still listed
    return inbox.status.text().replace("\u2068", "").replace("\u2069", "")


def test_the_refusal_carries_the_blocker_typed() -> None:
    mapped = _refusal({"request_id": BLOCKER, "state": "awaiting_resume"})
    assert isinstance(mapped, ChangeInProgress)
    assert mapped.blocking == BlockingChange(BLOCKER, awaiting_resume=True)
    unnamed = _refusal({})
    assert isinstance(unnamed, ChangeInProgress)
    assert unnamed.blocking == BlockingChange(None)


@pytest.mark.usefixtures("english")
def test_the_supervisor_is_told_which_request_is_being_applied(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    said = _approved_in_inbox(qtbot, ops, _refusal({"request_id": BLOCKER,
                                                     "state": "executing"}))
    assert said.startswith("Request 9b41c0d2… for this customer is being applied"), said
    assert "English" not in said


@pytest.mark.usefixtures("english")
def test_the_supervisor_is_told_which_request_waits_for_resume(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    said = _approved_in_inbox(qtbot, ops, _refusal({"request_id": BLOCKER,
                                                     "state": "awaiting_resume"}))
    assert said.startswith("Request 9b41c0d2… for this customer was approved but not "
                           "applied: it waits for Resume"), said


@pytest.mark.usefixtures("english")
def test_a_blocker_not_named_reads_as_before(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    said = _approved_in_inbox(qtbot, ops, _refusal({}))
    assert said.startswith("Another approved change to this customer is still being applied")
