"""The supervisor's desk and requests that were not seen arrive live: a desk started after
requests were filed announces them (once), shows how many wait in the Approvals dock's title
and asks the window system for attention; the supervisor's own requests are not in their
inbox; a read answered before a decision, but delivered after that decision's event, does not
bring the decided request back. Real sandbox + hub processes, pytest-qt offscreen."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fe_stack import SUPERVISOR, TELLER, profile, sign_in, start_fe_stack
from hub_stack_helpers import password_of
from PySide6.QtWidgets import QApplication

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import Session
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

pytestmark = [pytest.mark.slow]
_used: set[str] = set()


@pytest.fixture(autouse=True)
def _private(private_dirs: None) -> None:
    """Each test in its own dirs, with no OS keyring (conftest.private_dirs)."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    """Its own stack: what is pending there is only what these tests filed."""
    made = start_fe_stack(tmp_path_factory.mktemp("approvals-live-desk"))
    yield made
    made.stop()


def _customer(session: Session, arun: Any) -> str:
    page = arun(session.client.list_customers(is_disabled=False, limit=200,
                                              branch_guids=[session.branch_guid]))
    for customer in page.customers:
        if customer.wallet_user_guid not in _used:
            _used.add(customer.wallet_user_guid)
            return str(customer.wallet_user_guid)
    raise AssertionError("no unused customer")


def _file(session: Session, guid: str, arun: Any) -> ChangeRequest:
    request: ChangeRequest = arun(session.hub.hub.file_request(  # type: ignore[union-attr]
        "customer_update", guid, {"is_disabled": True}, "live desk test"))
    return request


def test_late_desk_announces_once_counts_in_title_and_hides_own(
        stack: EmbeddedStack, qtbot: Any, arun: Any, monkeypatch: Any) -> None:
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.main_window import MainWindow

    teller = arun(sign_in(stack, TELLER))
    sup_maker = arun(sign_in(stack, SUPERVISOR))
    theirs = [_file(teller, _customer(teller, arun), arun) for _ in range(2)]
    own = _file(sup_maker, _customer(sup_maker, arun), arun)  # the supervisor's own request

    alerted: list[object] = []
    monkeypatch.setattr(QApplication, "alert", lambda widget, msec=0: alerted.append(widget))
    other = MainWindow(teller, OpRunner(), profile_name="other-desk")  # has the focus
    qtbot.addWidget(other)
    session = arun(open_session(profile(stack, "sup-desk"), PasswordLogin(
        SUPERVISOR, password_of(stack.sandbox, SUPERVISOR))))
    window = MainWindow(session, OpRunner(), profile_name="sup-desk")
    qtbot.addWidget(window)
    try:
        inbox = window.supervision.inbox
        assert inbox is not None
        news: list[list[ChangeRequest]] = []
        inbox.new_requests.connect(news.append)
        window.show()
        other.show()
        other.activateWindow()
        ids = {r.id for r in theirs}
        qtbot.waitUntil(lambda: ids <= set(inbox.model.pending_ids()), timeout=15000)
        qtbot.waitUntil(lambda: window.banner.text().startswith(
            "2 new change request"), timeout=5000)  # announced though listed by a load
        assert window.status_bar.currentMessage() == ""  # said once: in the banner
        dock = window.supervision.inbox_dock
        assert dock is not None and dock.windowTitle() == "Approvals (2)"
        assert own.id not in inbox.model.pending_ids()  # never decidable by its maker
        assert sorted(r.id for batch in news for r in batch) == sorted(ids)
        assert not window.isActiveWindow()  # the other desk has the focus
        assert window in alerted  # the taskbar entry asks for attention

        # a reload (Refresh, or the stream reconnecting) lists them again: not re-announced
        feed = window.supervision.feed
        qtbot.waitUntil(lambda: feed is not None and feed.connected, timeout=15000)
        inbox.set_live(True)
        qtbot.waitUntil(lambda: not window.ops.is_busy("approvals-load"), timeout=15000)
        assert sorted(r.id for batch in news for r in batch) == sorted(ids)

        # decided elsewhere: the count in the title follows at once
        checker = ApprovalService(sup_maker.hub, Actor(SUPERVISOR, "", True), sup_maker.client)
        arun(checker.reject(theirs[0], "not needed"))
        qtbot.waitUntil(lambda: dock.windowTitle() == "Approvals (1)", timeout=15000)
    finally:
        for desk in (window, other):
            desk.supervision.locker.stop()  # type: ignore[union-attr]
            desk.supervision.stop_feed()
            desk.ops.cancel_all()


class GatedApprovals(ApprovalService):
    """The real service, whose pending list is read at once but handed back only when the
    test opens the gate (a slow answer on its way while a decision happens)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read: list[ChangeRequest] | None = None
        self.gate = asyncio.Event()

    async def pending(self) -> list[ChangeRequest]:
        found = await super().pending()
        if self.read is None:  # the first read only
            self.read = found
            await self.gate.wait()
        return found


def test_a_decided_request_does_not_come_back_from_an_older_read(
        stack: EmbeddedStack, qtbot: Any, arun: Any) -> None:
    teller = arun(sign_in(stack, TELLER))
    sup = arun(sign_in(stack, SUPERVISOR))
    service = GatedApprovals(sup.hub, Actor(SUPERVISOR, sup.branch_guid or "", True),
                             sup.client, "gated")

    async def no_names(_keys: list[str]) -> dict[str, str]:
        return {}

    ops = OpRunner()
    inbox = ApprovalsInbox(ops, lambda: service, employee_names=no_names,
                           customer_names=no_names)
    qtbot.addWidget(inbox)
    seen: list[HubEvent] = []

    def deliver(event: HubEvent) -> None:
        seen.append(event)
        inbox.on_event(event)

    feed = EventFeed(sup.hub)
    task = asyncio.ensure_future(feed.run(deliver, inbox.show_live))
    try:
        qtbot.waitUntil(lambda: feed.connected, timeout=15000)
        filed = _file(teller, _customer(teller, arun), arun)
        qtbot.waitUntil(lambda: filed.id in inbox.model.pending_ids(), timeout=15000)
        inbox.reload()  # its answer is read now, handed back after the decision below
        qtbot.waitUntil(lambda: service.read is not None, timeout=15000)
        assert filed.id in {r.id for r in service.read or []}
        checker = ApprovalService(sup.hub, Actor(SUPERVISOR, "", True), None)
        arun(checker.reject(filed, "decided while the list was on its way"))
        qtbot.waitUntil(lambda: any(e.kind == "request.rejected" and e.request_id == filed.id
                                    for e in seen), timeout=15000)
        assert filed.id not in inbox.model.pending_ids()
        service.gate.set()
        qtbot.waitUntil(lambda: not ops.is_busy("approvals-load"), timeout=15000)
        assert filed.id not in inbox.model.pending_ids()
    finally:
        feed.stop()
        task.cancel()
        qtbot.waitUntil(task.done, timeout=5000)
        ops.cancel_all()
