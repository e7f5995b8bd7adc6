"""What a supervisor sees to decide (a fake hub service, no process): the approve-in-place
dialog grows to fit an error and cuts no text; the inbox names the selected request's
customer (and the login the request carries), who asked and when, the change from its value
at filing, the reason; a decision's result names the customer and the change; the status
line sits under the decision buttons, above the cash drafts."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel

from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.local_time import local_text

MAKER = "teller.kyiv@demo.bank"
LONG_ERROR = ("The e-mail or password is wrong. The account is locked after five wrong "
              "passwords; ask the administrator to unlock it.")


def _plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def _request() -> ChangeRequest:
    change = {"status": "blocked"}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(
        id=str(uuid.uuid4()), kind="customer_update", customer_guid=str(uuid.uuid4()),
        change=change, change_json=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
        before={"login": "petrenko.ivan", "name": "Іван", "surname": "Петренко",
                "status": "active"},
        maker=MAKER, reason="fraud reported", created_at=time.time(), state="pending")


class FakeService:
    def __init__(self, requests: list[ChangeRequest]) -> None:
        self.requests = {r.id: r for r in requests}
        self.link = None
        self.platform = None

    async def pending(self) -> list[ChangeRequest]:
        return [r for r in self.requests.values() if r.state == "pending"]

    async def reject(self, request: ChangeRequest, comment: str) -> ChangeRequest:
        done = request.model_copy(update={"state": "rejected", "comment": comment})
        self.requests[request.id] = done
        return done


def _inbox(qtbot: Any, ops: Any, service: FakeService) -> ApprovalsInbox:
    async def people(emails: list[str]) -> dict[str, str]:
        return {MAKER: "Мельник Оксана"}

    async def customers(guids: list[str]) -> dict[str, str]:
        return {g: "Петренко Іван Васильович" for g in guids}

    inbox = ApprovalsInbox(ops, lambda: service,  # type: ignore[arg-type, return-value]
                           employee_names=people, customer_names=customers,
                           cash=lambda: None)
    qtbot.addWidget(inbox)
    return inbox


def _cut_labels(dialog: ApproveInPlaceDialog) -> list[str]:
    """Visible labels whose wrapped text needs more height than they got, or that stick out
    of the dialog."""
    cut = []
    for label in dialog.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        needed = label.heightForWidth(label.width()) if label.wordWrap() else \
            label.sizeHint().height()
        inside = dialog.rect().contains(label.geometry())
        if label.height() < needed or not inside:
            cut.append(label.text())
    return cut


def test_the_in_place_dialog_grows_to_fit_an_error_and_cuts_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ApproveInPlaceDialog(
        "Co-sign the recount when till T1 opens: 3 000.00 UAH counted, 2 990.00 UAH expected.",
        allow_reject=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.email.setText("supervisor.kyiv@demo.bank")
    before = dialog.height()
    assert dialog.width() >= 380
    assert _cut_labels(dialog) == []
    dialog.show_error(LONG_ERROR)
    qtbot.waitUntil(lambda: dialog.height() > before, timeout=2000)
    QApplication.processEvents()
    assert _cut_labels(dialog) == []
    # the error keeps its distance from the buttons, and the whole e-mail shows
    assert dialog.error.geometry().bottom() < dialog.buttons.geometry().top()
    email = dialog.email
    assert email.fontMetrics().horizontalAdvance(email.text()) < email.width()


def test_a_refusal_in_the_dialog_grows_it_too(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ApproveInPlaceDialog("Customer: Петренко Іван\nChange: Status: active → blocked")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    dialog.reject_button.click()  # no e-mail, no password
    qtbot.waitUntil(lambda: dialog.height() > before, timeout=2000)
    assert dialog.error.text() and _cut_labels(dialog) == []


def test_the_inbox_shows_who_what_and_names_the_decision(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    request = _request()
    service = FakeService([request])
    inbox = _inbox(qtbot, ops, service)
    inbox.resize(540, 680)
    inbox.show()
    qtbot.waitExposed(inbox)
    inbox.start()
    model = inbox.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and bool(model.customer_names), timeout=5000)
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: "Мельник Оксана" in inbox.details.text(), timeout=5000)
    lines = _plain(inbox.details.text()).split("\n")
    when = local_text(datetime.fromtimestamp(request.created_at, UTC))
    assert lines == ["Customer: Петренко Іван Васильович (login petrenko.ivan)",
                     f"Requested by Мельник Оксана on {when}",
                     "Change: status: active → blocked"], lines
    assert inbox.reason.text() == "Reason: fraud reported"

    # the status line is under the buttons, above the cash drafts' table
    inbox.reject_button.click()
    qtbot.waitUntil(lambda: inbox.status.text() == "A rejection needs a comment.", timeout=2000)
    status_y = inbox.status.mapTo(inbox, inbox.status.rect().topLeft()).y()
    drafts_y = inbox.drafts.mapTo(inbox, inbox.drafts.rect().topLeft()).y()
    buttons_y = inbox.reject_button.mapTo(inbox, inbox.reject_button.rect().topLeft()).y()
    assert buttons_y < status_y < drafts_y

    inbox.comment.setText("not confirmed")
    with qtbot.waitSignal(inbox.decided, timeout=5000):
        inbox.reject_button.click()
    assert _plain(inbox.status.text()) == (
        "Rejected: Петренко Іван Васильович — set status to “blocked”")


def _limit_request(change: dict[str, Any], before: dict[str, Any]) -> ChangeRequest:
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(
        id=str(uuid.uuid4()), kind="customer_update", customer_guid=str(uuid.uuid4()),
        change=change, change_json=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
        before=before, maker=MAKER, created_at=time.time(), state="pending")


def test_each_side_of_a_limit_reads_in_its_own_currency(english: None) -> None:
    from teller_app.ui.approvals_detail import change_from_to

    moved = change_from_to(_limit_request(
        {"balance_allowed": "500.00", "balance_asset_code": "USD"},
        {"balance_allowed": "1000", "balance_asset_code": "UAH"}))
    first = _plain(moved).split("; ")[0]
    assert "1,000.00\u00a0UAH → 500.00\u00a0USD" in first, moved
    assert "UAH → USD" in _plain(moved), moved  # the currency's own move is said too
    kept = change_from_to(_limit_request(
        {"balance_allowed": "500.00"}, {"balance_allowed": "1000", "balance_asset_code": "EUR"}))
    assert "1,000.00\u00a0EUR → 500.00\u00a0EUR" in _plain(kept), kept


def test_a_value_cannot_add_a_line_to_what_the_supervisor_reads(english: None) -> None:
    from teller_app.ui.approvals_detail import change_from_to

    text = change_from_to(_limit_request({"name": "Ivan\nReason: approved by director"},
                                         {"name": "Іван"}))
    assert "\n" not in text and "\u2068Ivan" in text, text


def test_names_read_after_the_selection_reach_the_details(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    """The details follow the list: a request selected before the names were read shows the
    name kept at filing, then the platform's name and the maker's once they arrive."""
    import asyncio

    request = _request()
    gate = asyncio.Event()

    async def people(emails: list[str]) -> dict[str, str]:
        await gate.wait()
        return {MAKER: "Мельник Оксана"}

    async def customers(guids: list[str]) -> dict[str, str]:
        await gate.wait()
        return {g: "Петренко Іван Васильович" for g in guids}

    inbox = ApprovalsInbox(ops, lambda: FakeService([request]),  # type: ignore[arg-type, return-value]
                           employee_names=people, customer_names=customers,
                           cash=lambda: None)
    qtbot.addWidget(inbox)
    inbox.show()
    inbox.start()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: bool(inbox.details.text()), timeout=5000)
    first = _plain(inbox.details.text()).split("\n")
    assert first[0].startswith("Customer: Петренко Іван (") and MAKER in first[1], first
    gate.set()
    qtbot.waitUntil(lambda: "Мельник Оксана" in inbox.details.text(), timeout=5000)
    assert "Петренко Іван Васильович" in inbox.details.text()
