"""A supervisor's day by keys against the embedded sandbox + Teller Hub: Enter in the
branch cash position's tables co-signs nothing (no default button; each button enabled only
for a selected row it acts on, with its own Alt+letter); Ctrl+Shift+A with the inbox closed
brings the inbox forward and decides nothing; Ctrl+Shift+I (listed by F1) opens the inbox
with its list focused and a request selected."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.ui.shortcuts import ShortcutsSheet
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_position import BranchCashView
from tests.ui.test_accelerators_unique import clashes, mnemonic

from .conftest import TELLER, make_window, new_customer, password_of
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

SUPERVISOR = "supervisor.kyiv@demo.bank"


stack = embedded_stack("ui-supervisor-keys")


def _buttons(view: BranchCashView) -> list[QPushButton]:
    return [b for b in view.findChildren(QPushButton) if b.isVisibleTo(view)]


def test_enter_in_the_tills_table_co_signs_nothing(qtbot, ops, arun, stack) -> None:  # type: ignore[no-untyped-def]
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    cash = hub_cash(teller)
    assert cash is not None
    till = arun(cash.till.open(f"K{uuid.uuid4().hex[:6]}", {"note_100": 3}))
    service = TillService(LinkCalls(supervisor.hub), "sup")
    try:
        assert till.needs_cosign  # a first opening waits for a supervisor
        view = BranchCashView(ops, service, supervisor.branch_guid)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.position is not None, timeout=15000)
        buttons = _buttons(view)
        assert len(buttons) == 8
        assert not any(b.isDefault() or b.autoDefault() for b in buttons)
        letters = [mnemonic(b.text()) for b in buttons]
        assert all(letters) and len(set(letters)) == 8 and clashes(view) == {}
        assert not view.cosign_button.isEnabled()  # nothing selected yet

        view.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=5000)
        row = next(i for i, t in enumerate(view.position.tills) if t.id == till.id)
        view.tills.setFocus()
        view.tills.selectRow(row)
        assert view.cosign_button.isEnabled()
        qtbot.keyClick(view.tills, Qt.Key.Key_Return)
        assert not ops.running_writes() and view.isVisible()
        assert arun(cash.till.current()).needs_cosign  # Enter co-signed nothing

        # The button's own letter co-signs (a deliberate press).
        with qtbot.waitSignal(view.loaded, timeout=15000) as loaded:
            qtbot.keyClick(view.tills, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
        assert next(t for t in loaded.args[0].tills if t.id == till.id).state == "open"
        view.close()
    finally:
        current = arun(cash.till.current())
        if current is not None and current.needs_cosign:
            current = arun(cosign_with_credentials(teller.profile, SUPERVISOR, password_of(
                stack.sandbox, SUPERVISOR), current.id))
        if current is not None:
            arun(cash.till.close(current.open_counts, "test clean-up"))
        arun(teller.close())
        arun(supervisor.close())


def test_the_inbox_keys_never_decide_out_of_sight(qtbot, ops, arun, stack) -> None:  # type: ignore[no-untyped-def]
    teller = hub_session(arun, stack, TELLER)
    made = arun(CustomerService(teller.client, hub=teller.hub).create(new_customer(
        stack.sandbox, teller, surname="Клавіші", name="Інбокс")))
    guid = made.customer.guid
    filed = arun(ApprovalService(teller.hub, actor_from_session(teller)).file_request(
        guid, {"status": "blocked"}, "keys test"))
    window = make_window(qtbot, ops, hub_session(arun, stack, SUPERVISOR), stack.sandbox)
    try:
        supervision = window.supervision
        inbox, dock = supervision.inbox, supervision.inbox_dock
        qtbot.waitUntil(lambda: filed.id in inbox._pending_ids, timeout=20000)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        inbox.table.selectRow(0)
        qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=10000)
        dock.close()  # the supervisor closed the inbox
        window.focus_search()
        window.desk.action_approve.trigger()  # Ctrl+Shift+A
        assert not ops.running_writes()  # no decision started
        assert dock.isVisible() and inbox.table.hasFocus()
        assert window.statusBar().currentMessage() == (
            "Select a request in the approvals inbox first.")
        state = arun(ApprovalService(teller.hub, actor_from_session(teller)).get(filed.id))
        assert state.state == "pending"

        # In sight and selected, but Approve off (as while the request is read again): the
        # desk says so rather than asking for a selection.
        inbox.table.selectRow(0)
        qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=10000)
        inbox.approve_gate.setEnabled(False)
        window.desk.action_approve.trigger()
        assert not ops.running_writes()
        assert window.statusBar().currentMessage() == (
            "The selected request is being read again or decided. Try again in a moment.")
        inbox.approve_gate.setEnabled(True)

        # Ctrl+Shift+I: the inbox in front, its list focused, a request selected.
        dock.close()
        inbox.table.clearSelection()
        window.focus_search()
        qtbot.keyClick(window.search_panel.search_box, Qt.Key.Key_I,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert dock.isVisible() and inbox.table.hasFocus()
        assert inbox.table.selectionModel().hasSelection()
        sheet = window.desk.open_shortcuts()
        assert isinstance(sheet, ShortcutsSheet)
        assert sheet.keys_for("Approvals inbox") == "Ctrl+Shift+I"
        sheet.close()
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        window.close()
        arun(window.shutdown())
        arun(teller.close())
