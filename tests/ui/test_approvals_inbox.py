"""The approvals inbox without a platform: maker names (resolved once, GUID until then or on
failure) and the "new change requests" notice that shrinks as soon as requests are decided."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QStatusBar

from teller_app.core.approval_codec import ChangeRequest, Decision, encode_status
from teller_app.platform.models import Customer
from teller_app.ui.approvals_inbox import ApprovalsInbox, lookup_employee_names, short_guid
from teller_app.ui.banner import Banner

MAKER = "11111111-1111-4111-8111-111111111111"
OTHER_MAKER = "22222222-2222-4222-8222-222222222222"
BRANCH = "33333333-3333-4333-8333-333333333333"


def _customer(maker: str) -> Customer:
    guid = str(uuid.uuid4())
    request = ChangeRequest(id=uuid.uuid4().hex, maker_guid=maker, branch_guid=BRANCH,
                            created_at="2025-01-02T03:04:05Z", reason="fraud reported",
                            change={"is_disabled": True})
    return Customer(wallet_user_guid=guid, login=f"login-{guid[:8]}", name="Ivan",
                    surname="Petrenko", status=encode_status("active", request),
                    branch_guid=BRANCH)


class FakeService:
    """scan() returns ``customers``; approve() clears the request like the platform would."""

    def __init__(self, customers: list[Customer]) -> None:
        self.customers = customers
        self.client = SimpleNamespace()

    async def scan(self, since: Any = None) -> tuple[list[Customer], Any]:
        return list(self.customers), "watermark"

    async def approve(self, customer_guid: str, request_id: str, comment: str) -> Decision:
        return Decision(request_id=request_id, customer_guid=customer_guid, outcome="approved",
                        decider_guid="sup", decided_at="2025-01-02T03:05:00Z", comment=comment)


def _maker_text(inbox: ApprovalsInbox, row: int = 0) -> str:
    return str(inbox.model.data(inbox.model.index(row, inbox.model.MAKER_COLUMN)))


def test_maker_names_are_resolved_once_and_cached(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    calls: list[list[str]] = []

    async def lookup(guids: list[str]) -> dict[str, str]:
        calls.append(guids)
        return {MAKER: "Мельник Оксана"}  # OTHER_MAKER: no such employee

    service = FakeService([_customer(MAKER), _customer(OTHER_MAKER)])
    inbox = ApprovalsInbox(ops, lambda: service, employee_names=lookup)
    qtbot.addWidget(inbox)
    inbox.poll()
    qtbot.waitUntil(lambda: "Мельник Оксана" in {_maker_text(inbox, r) for r in range(2)},
                    timeout=5000)
    makers = {_maker_text(inbox, r) for r in range(2)}
    assert makers == {"Мельник Оксана", short_guid(OTHER_MAKER)}  # unknown: the GUID stays
    row = next(r for r in range(2) if _maker_text(inbox, r) == "Мельник Оксана")
    tooltip = inbox.model.data(inbox.model.index(row, inbox.model.MAKER_COLUMN),
                               Qt.ItemDataRole.ToolTipRole)
    assert MAKER in tooltip
    assert calls == [sorted([MAKER, OTHER_MAKER])]

    service.customers.append(_customer(MAKER))  # a known maker again: no new lookup
    inbox.poll()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 3, timeout=5000)
    # The poll's callback merges and starts any lookup in one go: none is running now, so
    # none was started.
    assert not ops.is_busy("approvals-makers")
    assert len(calls) == 1


def test_failed_lookup_keeps_the_guid_and_is_retried(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    calls: list[list[str]] = []

    async def lookup(guids: list[str]) -> dict[str, str]:
        calls.append(guids)
        if len(calls) == 1:
            raise RuntimeError("platform hiccup")
        return {MAKER: "Мельник Оксана"}

    inbox = ApprovalsInbox(ops, lambda: FakeService([_customer(MAKER)]), employee_names=lookup)
    qtbot.addWidget(inbox)
    inbox.poll()
    qtbot.waitUntil(lambda: len(calls) == 1 and not ops.is_busy("approvals-makers"),
                    timeout=5000)
    assert _maker_text(inbox) == short_guid(MAKER)
    assert inbox.model.data(inbox.model.index(0, inbox.model.MAKER_COLUMN),
                            Qt.ItemDataRole.ToolTipRole) == MAKER  # the whole GUID
    inbox.poll()
    qtbot.waitUntil(lambda: _maker_text(inbox) == "Мельник Оксана", timeout=5000)


def test_lookup_uses_the_employees_list_by_guid(arun) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, Any] = {}

    class Client:
        async def list_employees(self, **kwargs: Any) -> Any:
            seen.update(kwargs)
            employee = SimpleNamespace(guid=MAKER, display_name="Мельник Оксана")
            return SimpleNamespace(employees=[employee])

    names = arun(lookup_employee_names(Client(), [MAKER, OTHER_MAKER]))
    assert names == {MAKER: "Мельник Оксана"}
    assert seen["guids"] == [MAKER, OTHER_MAKER] and seen["include_disabled"] is True


@pytest.fixture()
def supervision(qtbot, ops, monkeypatch):  # type: ignore[no-untyped-def]
    """Supervision's notice handling on a bare window (status bar + banner)."""
    from teller_app.ui import supervision as module

    monkeypatch.setattr(module.QSystemTrayIcon, "isSystemTrayAvailable", lambda: False)
    window = QMainWindow()
    window.status_bar = QStatusBar(window)
    window.setStatusBar(window.status_bar)
    window.banner = Banner(window)
    qtbot.addWidget(window)
    window.show()
    sup = module.Supervision.__new__(module.Supervision)
    module.QObject.__init__(sup, window)
    sup.window = window
    sup._notice_ids = set()
    sup._notice_text = ""
    return sup


def test_notice_follows_decisions_at_once(qtbot, ops, supervision) -> None:  # type: ignore[no-untyped-def]
    first, second = _customer(MAKER), _customer(MAKER)
    service = FakeService([first, second])

    async def lookup(guids: list[str]) -> dict[str, str]:
        return {}

    inbox = ApprovalsInbox(ops, lambda: service, employee_names=lookup)
    qtbot.addWidget(inbox)
    inbox.new_requests.connect(supervision._notify_new_requests)
    inbox.pending_changed.connect(supervision._pending_changed)
    window = supervision.window

    inbox.poll()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=5000)
    supervision._notify_new_requests([r for r, _l in inbox.model.rows])
    # (no translator in tests: the English plural comes from teller_en.qm in the app)
    assert window.status_bar.currentMessage().startswith("2 new change request")
    assert window.banner.text() == window.status_bar.currentMessage()

    inbox.table.selectRow(0)
    with qtbot.waitSignal(inbox.decided, timeout=5000):
        inbox.approve_button.click()
    assert window.status_bar.currentMessage().startswith("1 new change request")
    assert window.banner.text() == window.status_bar.currentMessage()

    inbox.table.selectRow(0)
    with qtbot.waitSignal(inbox.decided, timeout=5000):
        inbox.approve_button.click()
    assert window.status_bar.currentMessage() == ""
    assert "new change request" not in window.banner.text()  # now "Approved and applied."

    # Decided elsewhere: the next scan no longer has the request -> the notice goes too.
    third = _customer(MAKER)
    service.customers = [third]
    inbox.poll()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    supervision._notify_new_requests([r for r, _l in inbox.model.rows])
    assert window.status_bar.currentMessage().startswith("1 new change request")
    service.customers = [third.model_copy(update={"status": "blocked"})]  # request gone
    inbox.poll()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 0, timeout=5000)
    assert window.status_bar.currentMessage() == ""
    assert window.banner.text() == ""
