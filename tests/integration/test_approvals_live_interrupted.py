"""Mode A: the hub dies right after a supervisor's approval commits and is restarted; it
cannot finish alone (it never keeps the approver's platform session), so it reports
``request.interrupted`` and leaves the request approved. The supervisor's live inbox lists it
as "Approved, not applied" (announced), an inbox opened afterwards lists it too, and Resume
applies it on DCM with the supervisor's own session. Real sandbox + hub processes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fe_stack import ADMIN, SUPERVISOR, TELLER, profile, sign_in

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_hub import HubProcess, free_port, start_hub
from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.core.embedded_stack import EmbeddedStack, hub_settings, onboard
from teller_app.platform import HubUnavailable
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

pytestmark = [pytest.mark.slow]


class CrashStack:
    """A sandbox + a hub that dies right after an approval commits; ``restart`` waits for
    that death and starts the hub again on the same port and database, crashing again or
    not (every hub started is stopped at the end)."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self.port = free_port()
        self.sandbox = start_sandbox(base / "sandbox", "--bank-auth-url",
                                     f"http://127.0.0.1:{self.port}")
        self.settings = {**hub_settings(self.sandbox), "watch": "0", "resume_interval_s": "1"}
        self.hubs: list[HubProcess] = []
        self.crashing = False
        self.stack = EmbeddedStack(self.sandbox, self._start(crashing=True), None, self.port)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, onboard(self.stack)).result()

    def _start(self, *, crashing: bool) -> HubProcess:
        extra = {"test_crash_after_decision": "1"} if crashing else {"execution_stale_s": "0"}
        hub = start_hub(self.base / "hub", port=self.port, settings={**self.settings, **extra})
        self.hubs.append(hub)
        self.crashing = crashing
        return hub

    def restart(self, *, crashing: bool = False) -> None:
        """After the crash (or, for a crashing hub again, after a plain stop)."""
        current = self.hubs[-1]
        if self.crashing:
            current.process.wait(timeout=30)  # died after the decision (its own injector)
        else:
            current.stop()
        self._start(crashing=crashing)

    def stop(self) -> None:
        for hub in self.hubs:
            hub.stop()
        self.sandbox.stop()


@pytest.fixture(scope="module")
def crash_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashStack]:
    base = tmp_path_factory.mktemp("approvals-live-crash")
    os.chmod(base, 0o700)
    stack = CrashStack(base)
    try:
        yield stack
    finally:
        stack.stop()


async def _no_names(_keys: list[str]) -> dict[str, str]:
    return {}


def _inbox(service: ApprovalService, qtbot: Any) -> ApprovalsInbox:
    inbox = ApprovalsInbox(OpRunner(), lambda: service, employee_names=_no_names,
                           customer_names=_no_names)
    qtbot.addWidget(inbox)
    return inbox


def test_interrupted_approval_is_listed_announced_and_resumed(
        crash_stack: CrashStack, qtbot: Any, arun: Any) -> None:
    stack = crash_stack.stack
    teller = arun(sign_in(stack, TELLER))
    sup = arun(sign_in(stack, SUPERVISOR))
    page = arun(teller.client.list_customers(is_disabled=False, limit=5,
                                             branch_guids=[teller.branch_guid]))
    guid = page.customers[0].wallet_user_guid
    service = ApprovalService(sup.hub, Actor(SUPERVISOR, sup.branch_guid or "", True),
                              sup.client, "live-test")
    inbox = _inbox(service, qtbot)
    announced: list[tuple[str, str]] = []
    inbox.new_requests.connect(lambda rs: announced.extend((r.id, r.state) for r in rs))
    feed = EventFeed(sup.hub)
    task = asyncio.ensure_future(feed.run(inbox.on_event, inbox.set_live))
    try:
        qtbot.waitUntil(lambda: feed.connected, timeout=15000)
        inbox.start()
        filed: ChangeRequest = arun(teller.hub.hub.file_request(
            "customer_update", guid, {"is_disabled": True}, "live test: interrupted"))
        qtbot.waitUntil(lambda: (filed.id, "pending") in announced, timeout=15000)
        shown = arun(service.get(filed.id))
        with pytest.raises(HubUnavailable):  # the hub dies before it answers
            arun(service.approve(shown))
        crash_stack.restart(crashing=False)

        # the running inbox: listed as approved-not-applied, announced as such
        qtbot.waitUntil(lambda: inbox.model.state_of(filed.id) == "approved", timeout=40000)
        qtbot.waitUntil(lambda: (filed.id, "approved") in announced, timeout=5000)
        row = inbox.model.pending_ids().index(filed.id)
        change = inbox.model.data(inbox.model.index(row, inbox.model.CHANGE_COLUMN))
        assert str(change).startswith("Approved, not applied"), change
        assert inbox.resume_button.isVisibleTo(inbox)
        assert not arun(sup.client.get_customer(guid)).is_disabled  # not applied yet

        # an inbox opened now (or reloaded after a reconnect) lists it too, announced once
        later = _inbox(service, qtbot)
        later_news: list[list[ChangeRequest]] = []
        later.new_requests.connect(later_news.append)
        later.start()
        qtbot.waitUntil(lambda: later.model.state_of(filed.id) == "approved", timeout=15000)
        assert [(r.id, r.state) for r in later_news[0] if r.id == filed.id] == [
            (filed.id, "approved")]

        # Resume (keyboard: focus the table, select, the button is reachable) applies it
        inbox.table.selectRow(row)
        with qtbot.waitSignal(inbox.decided, timeout=20000) as decided:
            inbox.resume_button.click()
        assert decided.args[0].state == "applied"
        assert filed.id not in inbox.model.pending_ids()
        assert arun(sup.client.get_customer(guid)).is_disabled is True
        assert "applied" in inbox.status.text()
    finally:
        feed.stop()
        task.cancel()
        qtbot.waitUntil(task.done, timeout=5000)


def test_the_makers_desk_says_approved_waiting_to_be_applied(
        crash_stack: CrashStack, qtbot: Any, arun: Any, private_dirs: None) -> None:
    """A teller's request (a head-office Administrator approves it, then the hub dies): the
    hub tells its maker too, so their desk never reads it as plain "approved" once the hub
    reports it interrupted (the teller sees none of the supervisors' events)."""
    from hub_stack_helpers import password_of

    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.main_window import MainWindow

    if not crash_stack.crashing:
        crash_stack.restart(crashing=True)
    stack = crash_stack.stack
    session = arun(open_session(profile(stack, "maker-desk"), PasswordLogin(
        TELLER, password_of(stack.sandbox, TELLER))))
    window = MainWindow(session, OpRunner(), profile_name="maker-desk")
    qtbot.addWidget(window)
    window.show()
    try:
        feed = window.supervision.feed
        qtbot.waitUntil(lambda: feed is not None and feed.connected, timeout=15000)
        page = arun(session.client.list_customers(is_disabled=False, limit=5,
                                                  branch_guids=[session.branch_guid]))
        guid = page.customers[-1].wallet_user_guid
        hub = session.hub
        assert hub is not None
        filed: ChangeRequest = arun(hub.hub.file_request(
            "customer_update", guid, {"is_disabled": True}, "live test: own request"))
        admin = arun(sign_in(stack, ADMIN))
        checker = ApprovalService(admin.hub, Actor(ADMIN, "", True), admin.client, "admin")
        with pytest.raises(HubUnavailable):  # the hub dies before it answers
            arun(checker.approve(arun(checker.get(filed.id))))
        crash_stack.restart(crashing=False)
        waiting = "Your change request was approved, waiting to be applied."
        qtbot.waitUntil(lambda: window.status_bar.currentMessage() == waiting,
                        timeout=40000)
        assert window.supervision.inbox is None  # a teller decides nothing
    finally:
        window.supervision.locker.stop()  # type: ignore[union-attr]
        window.supervision.stop_feed()
        window.ops.cancel_all()
