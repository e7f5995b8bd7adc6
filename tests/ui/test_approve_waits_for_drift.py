"""The inbox's Approve waits while the selected request is read again with what moved on its
customer since filing (the drift read): approving before the warning shows judged a change
that may apply nothing. Off meanwhile (button, Alt+A, and so Ctrl+Shift+A, which presses only
an enabled button), back when the read ends; a read that fails gives it back too (decided
without the warning, as before), and a rejection still on its way keeps it off. Against the
embedded sandbox + Teller Hub, with the supervisor's hub answers held as a slow network would
(the requests reach the hub)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from teller_app.core.session import make_auth
from teller_app.core.session import open_session as core_open
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.sign_in import sandbox_target
from tests.reliability.reliability_helpers import FaultyTransport

from .conftest import TELLER, new_customer, password_of
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

SUPERVISOR = "supervisor.kyiv@demo.bank"
stack = embedded_stack("ui-approve-waits")


class HeldAnswers(FaultyTransport):
    """Hub requests that match a hold wait (before they are sent) until its gate opens;
    those ``refuse`` matches fail (once let through) as an unreachable hub would."""

    def __init__(self) -> None:
        super().__init__(None)
        self.holds: list[tuple[Callable[[httpx.Request], bool], asyncio.Event]] = []
        self.waiting: list[str] = []  # paths held now
        self.refuse: Callable[[httpx.Request], bool] | None = None

    def hold(self, matches: Callable[[httpx.Request], bool]) -> asyncio.Event:
        gate = asyncio.Event()
        self.holds.append((matches, gate))
        return gate

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for matches, gate in list(self.holds):
            if matches(request) and not gate.is_set():
                self.waiting.append(request.url.path)
                try:
                    await gate.wait()
                finally:
                    self.waiting.remove(request.url.path)
        if self.refuse is not None and self.refuse(request):  # its retries too
            raise httpx.ConnectError("injected: hub unreachable", request=request)
        return await super().handle_async_request(request)


def _drift_read(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.params.get("current") == "true"


def _rejection(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/reject")


@pytest.fixture()
def desk(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    """Three requests filed by the teller, the supervisor's inbox over a held transport."""
    teller = hub_session(arun, stack, TELLER)
    customers = CustomerService(teller.client, hub=teller.hub)
    maker = ApprovalService(teller.hub, actor_from_session(teller))
    filed: list[ChangeRequest] = []
    for name in ("Перший", "Другий", "Третій"):
        made = arun(customers.create(new_customer(stack.sandbox, teller, surname="Зсув",
                                                  name=name)))
        filed.append(arun(maker.file_request(made.customer.guid, {"status": "blocked"},
                                             "drift wait test")))
    held = HeldAnswers()
    profile = sandbox_target(stack.sandbox.manifest, stack.hub_url).profile
    supervisor = arun(core_open(profile, make_auth(profile, SUPERVISOR, password_of(
        stack.sandbox, SUPERVISOR)), hub_transport=held))
    service = ApprovalService(supervisor.hub, actor_from_session(supervisor),
                              supervisor.client, desk_id="sup-desk")

    async def no_names(_keys: list[str]) -> dict[str, str]:
        return {}

    inbox = ApprovalsInbox(ops, lambda: service, employee_names=no_names,
                           customer_names=no_names)
    qtbot.addWidget(inbox)
    inbox.show()
    inbox.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is inbox, timeout=5000)
    try:
        inbox.reload()
        qtbot.waitUntil(lambda: {r.id for r in filed} <= set(inbox.pending_ids()),
                        timeout=20000)
        yield inbox, held, filed, maker
    finally:
        for _matches, gate in held.holds:
            gate.set()
        ops.cancel_all()
        arun(teller.close())
        arun(supervisor.close())


def _select(qtbot: Any, inbox: ApprovalsInbox, held: HeldAnswers, request_id: str) -> None:
    inbox.table.setFocus()
    inbox.table.selectRow(inbox.model.pending_ids().index(request_id))
    qtbot.waitUntil(lambda: bool(held.waiting), timeout=10000)  # the drift read is on its way


def test_approve_waits_for_the_drift_read(qtbot, ops, arun, desk) -> None:  # type: ignore[no-untyped-def]
    inbox, held, filed, maker = desk
    first = filed[0]
    gate = held.hold(_drift_read)
    _select(qtbot, inbox, held, first.id)
    assert not inbox.approve_button.isEnabled()
    assert inbox.reject_button.isEnabled()  # rejecting needs no warning
    qtbot.keyClick(inbox.table, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    inbox.approve_button.click()  # what Ctrl+Shift+A would do (it asks isEnabled first)
    assert not ops.running_writes()  # nothing was decided

    gate.set()
    qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=10000)
    assert not held.waiting and arun(maker.get(first.id)).state == "pending"

    # A read that fails gives Approve back: the supervisor decides as before (no warning).
    held.refuse = _drift_read
    failing = held.hold(_drift_read)
    _select(qtbot, inbox, held, filed[1].id)
    assert not inbox.approve_button.isEnabled()
    failing.set()
    qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=20000)
    assert inbox.moved.isHidden()
    held.refuse = None
    with qtbot.waitSignal(inbox.decided, timeout=20000) as decided:
        qtbot.keyClick(inbox.table, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert decided.args[0].id == filed[1].id
    assert decided.args[0].state in ("approved", "applied")


def test_a_rejection_on_its_way_keeps_approve_off_after_the_read(qtbot, ops, desk) -> None:  # type: ignore[no-untyped-def]
    inbox, held, filed, _maker = desk
    third = filed[2]
    reading, rejecting = held.hold(_drift_read), held.hold(_rejection)
    _select(qtbot, inbox, held, third.id)
    inbox.comment.setText("not this one")
    inbox.reject_button.click()
    qtbot.waitUntil(lambda: len(held.waiting) == 2, timeout=10000)
    reading.set()
    qtbot.waitUntil(lambda: len(held.waiting) == 1, timeout=10000)
    qtbot.waitUntil(lambda: not ops.is_busy("approvals-current"), timeout=10000)
    assert not inbox.approve_button.isEnabled()  # the rejection is still on its way
    with qtbot.waitSignal(inbox.decided, timeout=20000):
        rejecting.set()
    assert inbox.approve_button.isEnabled()
    assert third.id not in inbox.pending_ids()


def test_leaving_the_request_ends_its_read(qtbot, ops, desk) -> None:  # type: ignore[no-untyped-def]
    """A read for a request no longer selected would keep Approve off for the next one (a
    cash request, read again by nobody) until the hub answered: it is cancelled."""
    inbox, held, filed, _maker = desk
    held.hold(_drift_read)  # never answered
    _select(qtbot, inbox, held, filed[0].id)
    assert ops.is_busy("approvals-current")
    inbox.table.clearSelection()
    qtbot.waitUntil(lambda: not ops.is_busy("approvals-current"), timeout=5000)
    assert inbox.approve_gate.isEnabled()
