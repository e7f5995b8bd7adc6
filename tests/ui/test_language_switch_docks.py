"""A live language switch re-translates the supervisor's docks in place: the Approvals inbox
(with its cash drafts), the audit trail and the banner follow ``switch_language`` while what
the user typed, picked and loaded stays (sandbox, no hub: the state messages are the
"needs the Teller Hub" ones)."""

from __future__ import annotations

import hashlib
import json
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import (
    SUPERVISOR,
    TELLER,
    client_for,
    employee,
    new_customer,
    profile_for,
)

from teller_app.platform.hub_models import ChangeRequest, HubEvent
from tests.ui.untranslated import left_in_english

UK_APPROVE = "&Погодити"
UK_VERIFY = "Перевірити ланцюжок"


@pytest.fixture()
def supervisor_window(sandbox, qtbot, arun, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A supervisor's main window on the shared sandbox (as tests/ui/test_supervision_flow)."""
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    session = arun(open_session(profile_for(sandbox), PasswordLogin(
        SUPERVISOR, employee(sandbox, SUPERVISOR)["password"])))
    window = MainWindow(session, OpRunner(), profile_name="test",
                        sandbox_asset=sandbox.manifest["asset"])
    qtbot.addWidget(window)
    window.show()
    yield window
    window.supervision.locker.stop()
    window.supervision.stop_feed()
    window.ops.cancel_all()


@pytest.fixture()
def pending_draft(sandbox, arun):  # type: ignore[no-untyped-def]
    """A teller's cash deposit over the threshold, waiting for a supervisor; confirmed at
    the end so the shared sandbox's branch has no draft left pending."""
    from teller_app.core.cash import CashKind, CashService, confirm_with_credentials

    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    draft = arun(service.create(CashKind.DEPOSIT, arun(new_customer(client, sandbox)),
                                "12000.00"))
    assert draft.needs_supervisor
    yield draft.payment_guid
    arun(confirm_with_credentials(profile_for(sandbox), SUPERVISOR,
                                  employee(sandbox, SUPERVISOR)["password"],
                                  draft.payment_guid, branch["guid"]))
    arun(client.aclose())


def _request() -> ChangeRequest:
    change = {"is_disabled": True}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(), maker=TELLER,
                         reason="fraud reported", created_at=time.time(), state="pending")


def _row_of(drafts, guid: str) -> int:  # type: ignore[no-untyped-def]
    return next((i for i, d in enumerate(drafts.rows) if d.payment_guid == guid), -1)


def test_inbox_and_banner_follow_a_live_language_switch(supervisor_window, pending_draft,
                                                         qtbot) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.approvals_model import PendingRequestsModel
    from teller_app.ui.settings import switch_language

    window = supervisor_window
    sup = window.supervision
    dock, inbox = sup.inbox_dock, sup.inbox
    assert dock is not None and inbox is not None and dock.isVisible()
    drafts = inbox.drafts
    inbox.refresh_drafts()  # the draft may have been filed after the inbox first read
    qtbot.waitUntil(lambda: _row_of(drafts, pending_draft) >= 0, timeout=10000)
    row = _row_of(drafts, pending_draft)
    drafts.table.selectRow(row)
    # No hub here: the inbox says so, and its live line says it is reconnecting.
    qtbot.waitUntil(lambda: inbox.status.text() == "Four-eyes approval needs the Teller Hub.",
                    timeout=10000)
    assert inbox.live.text() == "Reconnecting to the Teller Hub…"
    assert drafts.table.item(row, drafts.OPERATION).text() == "Cash deposit"
    # A pending request as a hub read lists it, and an alert as the hub's stream sends it.
    inbox.model.replace([_request()])
    inbox.on_event(HubEvent(id=1, kind="alert.unapproved_change", login="client@example.com",
                            fields={"is_disabled": {"before": False, "after": True}}))
    qtbot.waitUntil(lambda: inbox.alerts.count() == 1 and window.banner.text() != "")
    inbox.table.selectRow(0)
    assert inbox.model.index(0, PendingRequestsModel.CHANGE_COLUMN).data() == (
        "disable the customer")
    assert inbox.reason.text() == "Reason: fraud reported"
    banner_said = window.banner.text()  # a one-off report of the alert: stays as said
    inbox.comment.setText("Перевірено на місці")
    assert left_in_english(dock)  # the check sees the English texts before the switch
    repainted: list[str] = []
    inbox.model.headerDataChanged.connect(lambda *_: repainted.append("headers"))
    inbox.model.dataChanged.connect(lambda *_: repainted.append("rows"))
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: inbox.approve_button.text() == UK_APPROVE, timeout=5000)
        assert left_in_english(dock) == []
        assert left_in_english(window.banner) == []
        assert inbox.live.text() == "Повторне підключення до Teller Hub…"
        assert inbox.status.text() == "Для погодження «чотири ока» потрібен Teller Hub."
        assert inbox.model.headerData(PendingRequestsModel.CHANGE_COLUMN,
                                      Qt.Orientation.Horizontal) == "Зміна"
        assert inbox.model.index(0, PendingRequestsModel.CHANGE_COLUMN).data() == (
            "вимкнути клієнта")
        assert {"headers", "rows"} <= set(repainted)  # the views repaint, no model reset
        assert inbox.reason.text() == "Причина: fraud reported"
        assert inbox.alerts.item(0).text() == (
            "client@example.com: вимкнути клієнта (без погодженого запиту)")
        assert drafts.table.item(row, drafts.OPERATION).text() != "Cash deposit"
        # What the supervisor typed, selected and loaded is still there.
        assert inbox.comment.text() == "Перевірено на місці"
        assert inbox.selected_request() is not None
        assert inbox.selected_request().reason == "fraud reported"
        assert drafts.selected() is not None
        assert drafts.selected().payment_guid == pending_draft
        assert window.banner.text() == banner_said
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: inbox.approve_button.text() == "&Approve", timeout=5000)
    assert inbox.live.text() == "Reconnecting to the Teller Hub…"
    assert inbox.reason.text() == "Reason: fraud reported"
    assert drafts.table.item(row, drafts.OPERATION).text() == "Cash deposit"
    assert window.banner.close_button.toolTip() == "Dismiss"


def test_audit_trail_follows_a_live_language_switch(supervisor_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.settings import switch_language

    sup = supervisor_window.supervision
    sup.show_audit()
    dock = sup.audit_dock
    assert dock is not None and dock.isVisible()
    view = dock.widget()
    view.action.setCurrentIndex(view.action.findData("cash"))
    view.employee.setText("teller.kyiv@demo.bank")
    not_configured = "The audit trail is on the Teller Hub, which is not configured."
    qtbot.waitUntil(lambda: view.status.text() == not_configured, timeout=5000)
    assert view.action.currentText() == "Cash"
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: view.verify_button.text() == UK_VERIFY, timeout=5000)
        assert left_in_english(dock) == []
        assert view.status.text() == ("Журнал аудиту зберігається на Teller Hub, "
                                      "який не налаштовано.")
        # The filters are as the supervisor left them (the pick kept by its data).
        assert view.action.currentData() == "cash"
        assert view.action.currentText() == "Касові операції"
        assert view.action.itemText(0) == "Усі дії"
        assert view.employee.text() == "teller.kyiv@demo.bank"
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: view.verify_button.text() == "Verify chain", timeout=5000)
    assert view.action.currentData() == "cash" and view.action.currentText() == "Cash"
    assert view.status.text() == not_configured
