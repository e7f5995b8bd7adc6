"""The supervisor finds the request that holds a customer: the inbox's details name the
selected request by the short id a refusal uses, and an approval refused with the hub's 409
``customer_change_in_progress`` offers "Show request …" when that blocker is one of the
inbox's rows (here: approved, not applied, waiting for Resume), which selects it and puts
the keyboard on the list. A blocker the inbox does not list (still executing) offers
nothing. Real sandbox + hub processes (Mode A): the hub dies right after approving the
first request, and is started again, first as one that leaves the dead one's execution to
run on, then as one that takes it over at once and reports it interrupted."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_hub import HubProcess, free_port, start_hub
from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.core.embedded_stack import EmbeddedStack, hub_settings, onboard
from teller_app.core.session import Session, open_session
from teller_app.platform import HubUnavailable, PasswordLogin
from teller_app.platform.hub_models import ChangeRequest
from teller_app.secrets import Profile
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_entity import short_id

from .conftest import TELLER, password_of

pytestmark = [pytest.mark.slow]
SUPERVISOR = "supervisor.kyiv@demo.bank"


class Stack:
    """Sandbox + hub on one port and database; ``restart`` starts the hub again once the
    running one died (``crashing``: it dies right after its next approval commits)."""

    def __init__(self, base: Path) -> None:
        self.base, self.port = base, free_port()
        self.sandbox = start_sandbox(base / "sandbox", "--bank-auth-url",
                                     f"http://127.0.0.1:{self.port}")
        self.settings = {**hub_settings(self.sandbox), "watch": "0", "resume_interval_s": "1"}
        self.hubs: list[HubProcess] = []
        self.stack = EmbeddedStack(self.sandbox, self._start(test_crash_after_decision="1"),
                                   None, self.port)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, onboard(self.stack)).result()

    def _start(self, **extra: str) -> HubProcess:
        hub = start_hub(self.base / "hub", port=self.port, settings={**self.settings, **extra})
        self.hubs.append(hub)
        return hub

    def restart(self, *, crashed: bool, **extra: str) -> None:
        if crashed:
            self.hubs[-1].process.wait(timeout=30)  # its own fault injector ended it
        else:
            self.hubs[-1].stop()
        self._start(**extra)

    def stop(self) -> None:
        for hub in self.hubs:
            hub.stop()
        self.sandbox.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("inbox-blocker")
    os.chmod(base, 0o700)
    started = Stack(base)
    try:
        yield started
    finally:
        started.stop()


async def _sign_in(stack: EmbeddedStack, email: str) -> Session:
    profile = Profile(name="blocker", base_url=stack.sandbox.base_url,
                      counterparty_guid=stack.sandbox.counterparty_guid, hub_url=stack.hub_url)
    session = await open_session(profile, PasswordLogin(email, password_of(stack.sandbox,
                                                                           email)))
    assert session.hub_available, session.hub_problem
    return session


async def _no_names(_keys: list[str]) -> dict[str, str]:
    return {}


def _plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def _next_tab_stop(widget: QWidget) -> QWidget:
    """Where Tab goes from ``widget``: the next visible, enabled widget taking Tab focus."""
    step = widget.nextInFocusChain()
    while step is not widget and not (step.isVisible() and step.isEnabled() and
                                      step.focusPolicy() & Qt.FocusPolicy.TabFocus):
        step = step.nextInFocusChain()
    return step


def _approve(qtbot: Any, inbox: ApprovalsInbox, request_id: str) -> str:
    """Select ``request_id``'s row, Approve it; the status line the refusal left."""
    inbox.status.clear()
    # a read of the whole list (the feed's reconnect) would leave nothing selected
    qtbot.waitUntil(lambda: not inbox.ops.is_busy("approvals-load"), timeout=15000)
    inbox.table.selectRow(inbox.model.pending_ids().index(request_id))
    qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=15000)  # the drift read ended
    selected = inbox.selected_request()
    assert selected is not None and selected.id == request_id
    inbox.approve_button.click()
    qtbot.waitUntil(lambda: bool(inbox.status.text()), timeout=20000)
    assert inbox.model.state_of(request_id) == "pending"  # still waiting, still listed
    return _plain(inbox.status.text())


@pytest.mark.usefixtures("english")
def test_the_refusal_leads_to_the_blocking_request(stack: Stack, qtbot: Any,
                                                   arun: Any) -> None:
    embedded = stack.stack
    teller = arun(_sign_in(embedded, TELLER))
    sup = arun(_sign_in(embedded, SUPERVISOR))
    page = arun(teller.client.list_customers(is_disabled=False, limit=5,
                                             branch_guids=[teller.branch_guid]))
    guid = page.customers[0].wallet_user_guid
    file = teller.hub.hub.file_request
    first: ChangeRequest = arun(file("customer_update", guid, {"balance_allowed": "2000"},
                                     "blocker test: first"))
    second: ChangeRequest = arun(file("customer_update", guid, {"balance_allowed": "3000"},
                                      "blocker test: second"))
    service = ApprovalService(sup.hub, Actor(SUPERVISOR, sup.branch_guid or "", True),
                              sup.client, "blocker-test")
    with pytest.raises(HubUnavailable):  # approved; the hub dies before it answers
        arun(service.approve(arun(service.get(first.id))))
    stack.restart(crashed=True)  # the dead hub's execution is not stale yet: "executing"

    ops = OpRunner()
    inbox = ApprovalsInbox(ops, lambda: service, employee_names=_no_names,
                           customer_names=_no_names)
    qtbot.addWidget(inbox)
    inbox.show()
    feed = EventFeed(sup.hub)
    task = asyncio.ensure_future(feed.run(inbox.on_event, inbox.set_live))
    try:
        qtbot.waitUntil(lambda: feed.connected, timeout=15000)
        inbox.start()
        qtbot.waitUntil(lambda: inbox.model.state_of(second.id) == "pending", timeout=15000)
        assert inbox.model.state_of(first.id) is None  # executing: not listed
        # the details name the selected request as a refusal would
        inbox.table.selectRow(inbox.model.pending_ids().index(second.id))
        assert _plain(inbox.request_ref.text()) == f"Request: {short_id(second.id)}"
        assert inbox.request_ref.isVisibleTo(inbox)
        assert inbox.request_ref.textInteractionFlags() & \
            Qt.TextInteractionFlag.TextSelectableByMouse

        # the blocker executes (not in the lists): named, nothing to show
        said = _approve(qtbot, inbox, second.id)
        assert said.startswith(f"Request {short_id(first.id)} for this customer is being "
                               "applied"), said
        assert not inbox.jump.button.isVisibleTo(inbox)

        # taken over at once and reported interrupted: listed as approved, not applied
        stack.restart(crashed=False, execution_stale_s="0")
        qtbot.waitUntil(lambda: inbox.model.state_of(first.id) == "approved", timeout=40000)
        said = _approve(qtbot, inbox, second.id)
        blocker = short_id(first.id)
        assert said.startswith(f"Request {blocker} for this customer was approved but not "
                               "applied: it waits for Resume"), said
        button: QPushButton = inbox.jump.button
        assert button.isVisibleTo(inbox)
        assert _plain(button.text()) == f"Show request {blocker}"
        # keyboard-reachable: the next stop after the decision buttons
        assert _next_tab_stop(inbox.resume_button) is button
        button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.keyClick(button, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: inbox.selected_request() is not None and
                        inbox.selected_request().id == first.id, timeout=5000)  # type: ignore[union-attr]
        assert QApplication.focusWidget() is inbox.table
        assert _plain(inbox.request_ref.text()) == f"Request: {blocker}"
        assert not button.isVisibleTo(inbox)  # the message was about the other request
        assert inbox.resume_button.isVisibleTo(inbox)
    finally:
        feed.stop()
        task.cancel()
        qtbot.waitUntil(task.done, timeout=5000)
        ops.cancel_all()
        arun(teller.close())
        arun(sup.close())
