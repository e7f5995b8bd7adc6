"""The approvals inbox without a hub process (a fake service): live events add and remove
requests (no poll), customer and maker names, the formatted change, approve sends the hash of
what was shown, reject needs a comment, and the "new change requests" notice shrinks as soon
as requests are decided (here or elsewhere)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QStatusBar

from teller_app.core.approvals import display_hash
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox, lookup_employee_names, short_guid
from teller_app.ui.banner import Banner

MAKER = "teller.kyiv@demo.bank"


def _request(change: dict[str, Any] | None = None) -> ChangeRequest:
    change = change or {"is_disabled": True}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(), maker=MAKER,
                         reason="fraud reported", created_at=time.time(), state="pending")


class FakeService:
    def __init__(self, requests: list[ChangeRequest]) -> None:
        self.requests = {r.id: r for r in requests}
        self.link = None
        self.platform = SimpleNamespace()
        self.approved: list[tuple[str, str]] = []

    async def pending(self) -> list[ChangeRequest]:
        return [r for r in self.requests.values() if r.state == "pending"]

    async def get(self, request_id: str) -> ChangeRequest:
        return self.requests[request_id]

    async def approve(self, request: ChangeRequest, comment: str = "") -> ChangeRequest:
        self.approved.append((request.id, display_hash(request)))
        done = request.model_copy(update={"state": "applied", "checker": "sup@bank"})
        self.requests[request.id] = done
        return done

    async def reject(self, request: ChangeRequest, comment: str) -> ChangeRequest:
        done = request.model_copy(update={"state": "rejected", "comment": comment})
        self.requests[request.id] = done
        return done


def _plain(text: str) -> str:
    """Shown names and reasons are direction-isolated (FSI … PDI)."""
    return str(text).strip("\u2068\u2069")


async def _people(emails: list[str]) -> dict[str, str]:
    return {MAKER: "Оксана Мельник"}


def _inbox(qtbot: Any, ops: Any, service: FakeService, customers: Any = None) -> ApprovalsInbox:
    async def names(guids: list[str]) -> dict[str, str]:
        return {g: "Петренко Іван" for g in guids}

    inbox = ApprovalsInbox(ops, lambda: service, employee_names=_people,  # type: ignore[arg-type, return-value]
                           customer_names=customers or names)
    qtbot.addWidget(inbox)
    return inbox


def test_lookup_maps_e_mails_to_names(arun) -> None:  # type: ignore[no-untyped-def]
    class Client:
        async def list_employees(self, **kwargs: Any) -> Any:
            people = [SimpleNamespace(email="Teller.Kyiv@demo.bank", display_name="Мельник О."),
                      SimpleNamespace(email="x@demo.bank", display_name="X")]
            return SimpleNamespace(employees=people, total=2)

    assert arun(lookup_employee_names(Client(), [MAKER, "nobody@bank"])) == {
        MAKER: "Мельник О."}
    assert short_guid("c94eb2af-1111-2222-3333-444455556666") == "c94eb2af…"


def test_live_events_names_and_the_hash_of_what_was_shown(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    first = _request({"balance_allowed": "150000.5", "status": "blocked"})
    service = FakeService([first])
    inbox = _inbox(qtbot, ops, service)
    inbox.start()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    model = inbox.model
    qtbot.waitUntil(lambda: _plain(model.data(model.index(0, model.MAKER_COLUMN)))
                    == "Оксана Мельник", timeout=5000)
    assert _plain(model.data(model.index(0, model.CUSTOMER_COLUMN))) == "Петренко Іван"
    # two lines may cut a long name: its tooltip holds it whole, with the e-mail
    maker_tip = model.data(model.index(0, model.MAKER_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert "Оксана Мельник" in maker_tip and first.maker in maker_tip
    change = model.data(model.index(0, model.CHANGE_COLUMN))
    assert "150" in change and "000.50" in change and "blocked" in change

    second = _request()
    service.requests[second.id] = second
    with qtbot.waitSignal(inbox.new_requests, timeout=5000) as news:
        inbox.on_event(HubEvent(id=7, kind="request.filed", request_id=second.id))
    assert news.args[0][0].id == second.id and model.rowCount() == 2
    inbox.on_event(HubEvent(id=8, kind="request.withdrawn", request_id=first.id))
    assert model.pending_ids() == [second.id]

    inbox.table.selectRow(0)
    assert "fraud reported" in inbox.reason.text()
    inbox.reject_button.click()
    assert "comment" in inbox.status.text()  # a rejection needs one
    with qtbot.waitSignal(inbox.decided, timeout=5000):
        inbox.approve_button.click()
    assert service.approved == [(second.id, second.sha256)]  # hash of the displayed JSON
    assert model.rowCount() == 0


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
    QObject.__init__(sup, window)
    sup.window = window
    sup._notice_ids = set()
    sup._notice_text = ""
    return sup


def test_notice_follows_decisions_at_once(qtbot, ops, supervision) -> None:  # type: ignore[no-untyped-def]
    first, second = _request(), _request()
    service = FakeService([])
    inbox = _inbox(qtbot, ops, service)
    inbox.new_requests.connect(supervision._notify_new_requests)
    inbox.pending_changed.connect(supervision._pending_changed)
    window = supervision.window
    inbox.start()
    qtbot.waitUntil(lambda: not ops.is_busy("approvals-load"), timeout=5000)
    for n, request in enumerate((first, second)):
        service.requests[request.id] = request
        with qtbot.waitSignal(inbox.new_requests, timeout=5000):
            inbox.on_event(HubEvent(id=n + 1, kind="request.filed", request_id=request.id))
    # (no translator in tests: the English plural comes from teller_en.qm in the app)
    assert window.banner.text().startswith("2 new change request")
    assert window.status_bar.currentMessage() == ""  # said once: in the banner

    inbox.table.selectRow(0)
    with qtbot.waitSignal(inbox.decided, timeout=5000):
        inbox.approve_button.click()
    assert window.banner.text().startswith("1 new change request")

    # decided at another desk: the hub's event removes it and the notice goes at once
    inbox.on_event(HubEvent(id=9, kind="request.applied", request_id=first.id))
    assert inbox.model.rowCount() == 0
    assert window.status_bar.currentMessage() == ""
    assert "new change request" not in window.banner.text()
