"""A supervisor's day by keys against the embedded sandbox + Teller Hub (the walkthrough's
findings). The inbox: a rejection without a comment puts the keyboard in the comment field
(its label's Alt+letter reaches it too); a decision leaves nothing selected, so a second
Alt+A decides nothing and the supervisor arrows to the next request. The audit trail: Tab
leaves its table, Enter opens an entry in full (plain text, Esc back to the table), a typed
date is read once (on Enter, not at every digit), so is a date picked in the calendar popup,
and a "from" after "to" is never sent (the other box follows)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QWidget

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.audit_entry import AuditEntryDialog
from teller_app.ui.audit_view import AuditView
from tests.ui.test_accelerators_unique import clashes, language, mnemonic  # noqa: F401

from .conftest import TELLER, new_customer
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

SUPERVISOR = "supervisor.kyiv@demo.bank"
SHOUT = "<b style='color:green'>APPROVED BY HEAD OFFICE</b>"
READING = "Reading the audit trail"


stack = embedded_stack("ui-supervisor-day")


def _active(qtbot: Any, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def _alt(qtbot: Any, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.AltModifier)


# -- the approvals inbox ----------------------------------------------------------------------
def test_a_decision_leaves_nothing_selected_and_a_rejection_asks_for_its_comment(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack) -> None:
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    maker = ApprovalService(teller.hub, actor_from_session(teller))
    customers = CustomerService(teller.client, hub=teller.hub)
    filed = []
    for n in range(3):
        made = arun(customers.create(new_customer(stack.sandbox, teller, surname="Черга",
                                                  name=f"Запит{'абв'[n]}")))
        filed.append(arun(maker.file_request(made.customer.guid, {"status": "blocked"},
                                             f"walkthrough {n}")))
    service = ApprovalService(supervisor.hub, actor_from_session(supervisor), supervisor.client)
    inbox = ApprovalsInbox(ops, lambda: service)
    try:
        _active(qtbot, inbox)
        inbox.start()
        qtbot.waitUntil(lambda: {f.id for f in filed} <= set(inbox.pending_ids()),
                        timeout=20000)
        table, model = inbox.table, inbox.model

        def row_of(request_id: str) -> int:
            return next(i for i, r in enumerate(model.rows) if r.id == request_id)

        first, second, third = sorted(filed, key=lambda r: row_of(r.id))  # as listed
        # Alt+R with no comment: the comment field takes the keyboard, nothing is sent.
        table.setFocus()
        table.selectRow(row_of(third.id))
        _alt(qtbot, table, Qt.Key.Key_R)  # a button's letter clicks it a moment later
        qtbot.waitUntil(lambda: inbox.status.text() == "A rejection needs a comment.",
                        timeout=5000)
        assert inbox.comment.hasFocus() and not ops.running_writes()
        # the comment's label has its own letter, and it reaches the field
        assert inbox.comment_label.buddy() is inbox.comment
        assert mnemonic(inbox.comment_label.text()) == "n" and clashes(inbox) == {}
        table.setFocus()
        _alt(qtbot, table, Qt.Key.Key_N)
        assert inbox.comment.hasFocus()

        # Alt+A approves the selected request; nothing is selected after it.
        table.setFocus()
        decided, following = first, second
        table.selectRow(row_of(decided.id))
        qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=10000)  # the drift read
        with qtbot.waitSignal(inbox.decided, timeout=20000) as done:
            _alt(qtbot, table, Qt.Key.Key_A)
        assert done.args[0].id == decided.id
        assert not table.selectionModel().hasSelection() and inbox.selected_request() is None
        assert table.hasFocus() and inbox.reason.text() == ""
        # a second Alt+A decides nothing: the next request was never shown
        _alt(qtbot, table, Qt.Key.Key_A)
        qtbot.waitUntil(lambda: inbox.status.text() == "Select a request first.", timeout=5000)
        assert not ops.running_writes()
        assert arun(maker.get(following.id)).state == "pending"
        # Down reaches the request that took the decided one's place
        qtbot.keyClick(table, Qt.Key.Key_Down)
        assert inbox.selected_request() is not None
        assert inbox.selected_request().id == following.id
        assert "walkthrough" in inbox.reason.text()

        # A rejection typed in the comment field: the list has the keyboard after it.
        inbox.comment.setFocus()
        qtbot.keyClicks(inbox.comment, "not confirmed by the customer")  # QTest: Latin-1 only
        with qtbot.waitSignal(inbox.decided, timeout=20000) as done:
            _alt(qtbot, inbox.comment, Qt.Key.Key_R)
        assert done.args[0].id == second.id and done.args[0].state == "rejected"
        assert table.hasFocus() and not table.selectionModel().hasSelection()

        # Withdrawn at the maker's desk while selected: the selection goes with it too.
        table.selectionModel().setCurrentIndex(
            model.index(row_of(third.id), 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        assert inbox.selected_request().id == third.id
        arun(maker.withdraw(third))
        # the hub's event, as the live feed hands it over (no feed on a bare inbox)
        inbox.on_event(HubEvent(id=1, kind="request.withdrawn", request_id=third.id))
        assert third.id not in inbox.pending_ids()
        assert inbox.selected_request() is None
    finally:
        ops.cancel_all()
        arun(teller.close())
        arun(supervisor.close())


# -- the audit trail --------------------------------------------------------------------------
def _reads(ops: Any) -> list[int]:
    """Audit reads started (each start adds one running "Reading the audit trail")."""
    starts: list[int] = []
    running = [0]

    def seen(labels: list[str]) -> None:
        now = labels.count(READING)
        if now > running[0]:
            starts.append(now)
        running[0] = now

    ops.activity_changed.connect(seen)
    return starts


def _type_date(qtbot: Any, box: QDateEdit, digits: str) -> None:
    box.setFocus()
    box.setSelectedSection(QDateEdit.Section.DaySection)
    for digit in digits:  # day, month, year: the sections move on by themselves
        qtbot.keyClick(box, digit)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


@pytest.fixture()
def audit(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    entity = f"customer:{uuid.uuid4()}"
    detail = {"comment": SHOUT, "reason": "line one\nline two", "request_id": "r-1"}
    arun(teller.hub.call(lambda hub: hub.append_audit([{
        "client_id": str(uuid.uuid4()), "action": "edit", "entity": entity,
        "detail": detail}], desk_id="walkthrough-desk")))
    view = AuditView(lambda: supervisor.hub, ops)
    for box in (view.date_from, view.date_to):
        box.setDisplayFormat("dd.MM.yyyy")  # typed day first, whatever the test's locale
    try:
        _active(qtbot, view)
        with qtbot.waitSignal(view.loaded, timeout=20000):
            view.refresh()
        yield view, entity
    finally:
        ops.cancel_all()
        arun(teller.close())
        arun(supervisor.close())


def test_tab_leaves_the_audit_table_and_enter_opens_an_entry(qtbot, audit) -> None:  # type: ignore[no-untyped-def]
    view, entity = audit
    table = view.table
    assert table.accessibleName() == "Audit entries"
    row = next(i for i, e in enumerate(view.model.entries) if e.entity == entity)
    table.setFocus()
    table.selectionModel().setCurrentIndex(
        view.model.index(row, 2), QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert view.refresh_button.hasFocus()  # not the next cell
    table.setFocus()

    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = view.entry_dialog
    assert isinstance(dialog, AuditEntryDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.windowModality() == Qt.WindowModality.WindowModal  # open(), not exec()
    text = dialog.details.toPlainText()
    assert dialog.details.isReadOnly() and SHOUT in text  # the desk's words, as they are
    assert "line one\nline two" in text and len(text.splitlines()) >= 4  # one a line
    flags = dialog.details.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard  # copied by keys too
    assert dialog.facts["entity"].text() == entity
    assert dialog.facts["entity"].textFormat() == Qt.TextFormat.PlainText
    assert dialog.facts["action"].text() == "Edited"
    assert TELLER in dialog.facts["actor"].text()
    qtbot.waitUntil(dialog.details.hasFocus, timeout=5000)
    qtbot.keyClick(dialog.details, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert view.focusWidget() is table  # back where the supervisor was, once the window
    view.activateWindow()  # is active again (the offscreen platform does not reactivate it)
    qtbot.waitUntil(table.hasFocus, timeout=5000)
    assert view.entry_dialog is None


def test_dates_are_read_once_set_and_never_reversed(qtbot, ops, audit) -> None:  # type: ignore[no-untyped-def]
    view, _entity = audit
    for label, box in ((view.employee_label, view.employee), (view.from_label, view.date_from),
                       (view.to_label, view.date_to)):
        assert label.buddy() is box and mnemonic(label.text())
    assert clashes(view) == {}
    reads = _reads(ops)

    _type_date(qtbot, view.date_from, "01012026")
    assert view.date_from.text() == "01.01.2026"
    assert reads == []  # 01.12.2026, then 01.01.2026: nothing read while typing
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.keyClick(view.date_from, Qt.Key.Key_Return)
    assert len(reads) == 1 and _day(view.date_from.date()) == date(2026, 1, 1)

    # "to" typed before "from": "from" follows, one read, never a reversed range
    with qtbot.waitSignal(view.loaded, timeout=20000):
        _type_date(qtbot, view.date_to, "15112025")
        qtbot.keyClick(view.date_to, Qt.Key.Key_Tab)  # leaving the box sets it too
    assert len(reads) == 2
    assert _day(view.date_from.date()) == _day(view.date_to.date()) == date(2025, 11, 15)
    assert view.filters()["since_ms"] < view.filters()["until_ms"]

    # a day picked in the calendar popup: one read, when the pick is made
    box = view.date_to
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(box.width() - 5,
                                                                  box.height() // 2))
    qtbot.waitUntil(lambda: box.calendarWidget().isVisible(), timeout=5000)
    for _ in range(2):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert len(reads) == 2  # passing days in the popup reads nothing
    with qtbot.waitSignal(view.loaded, timeout=20000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert not box.calendarWidget().isVisible() and len(reads) == 3
    assert _day(view.date_to.date()) == date(2025, 11, 17)


# -- Alt+letters ------------------------------------------------------------------------------
@pytest.mark.usefixtures("language")  # English, then Ukrainian
def test_the_inbox_and_audit_letters_are_unique_in_their_window(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack) -> None:
    """Both docks shown in the supervisor's main window (its menus and search filters share
    the window's Alt+letters): the comment, "from", "to" and the employee filter have theirs.
    Until their Ukrainian texts are in teller_uk.ts the Ukrainian run sees the English ones
    (whose keys are free in Ukrainian too)."""
    from .conftest import make_window

    window = make_window(qtbot, ops, hub_session(arun, stack, SUPERVISOR), stack.sandbox)
    try:
        supervision = window.supervision
        supervision.show_audit()
        inbox, view = supervision.inbox, supervision._audit_view
        assert inbox is not None and view is not None
        qtbot.waitUntil(lambda: inbox.isVisibleTo(window) and view.isVisibleTo(window),
                        timeout=10000)
        labels = (inbox.comment_label, view.employee_label, view.from_label, view.to_label)
        assert all(mnemonic(label.text()) for label in labels)
        assert clashes(window) == {}
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        window.close()
        arun(window.shutdown())
