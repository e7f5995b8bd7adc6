"""The desk with the embedded sandbox + Teller Hub, by keys: a cash draft past the limit is
filed for a supervisor and their in-place button becomes the next step (focused, Enter in
the amount field opens it), while Void is never the default and Enter on it does nothing;
the End-of-day report menu entry is greyed out until a till is closed in this window, and
says why; the arrow keys reach it greyed out (framed, the reason in the status bar and beside
it, Enter opens nothing), so a keyboard or screen-reader user learns why it is off."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QToolTip

from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.till import Till, TillService
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_dialog import ReportDialog

from .conftest import TELLER, make_window, new_customer
from .embedded_desk import embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

COUNTS = {"note_100": 3}
REPORT_WHY = ("The end-of-day report opens after you close your till in this window. The "
              "report of a till closed before the desk was restarted is not offered here.")


stack = embedded_stack("ui-desk-keys-hub")


@pytest.fixture()
def window(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    session = hub_session(arun, stack, TELLER)
    win = make_window(qtbot, ops, session, stack.sandbox)
    yield win
    win._closing_for_sign_out = True
    ops.cancel_all()
    till = _till(win)
    current = arun(till.current())
    if current is not None:  # one till per teller: never leave one open (drafts are voided)
        arun(till.close(current.open_counts, "test clean-up"))
    arun(session.close())


def _till(window: Any) -> TillService:
    cash = hub_cash(window.session)
    assert cash is not None
    return cash.till  # this desk's lease (till_desk.DESK_ID)


def _open_till(arun: Any, stack: EmbeddedStack, window: Any) -> Till:
    return open_cosigned_till(arun, stack, _till(window), window.session,
                              f"E{uuid.uuid4().hex[:6]}", COUNTS)


def test_a_filed_draft_makes_the_supervisor_the_next_step(qtbot, arun, stack, window) -> None:  # type: ignore[no-untyped-def]
    _open_till(arun, stack, window)
    new = new_customer(stack.sandbox, window.session, surname="Готівка", name="Велика")
    service = CustomerService(window.session.client, hub=window.session.hub)
    card = window.open_customer(arun(service.create(new)).customer)  # the hub's secret too
    qtbot.waitUntil(lambda: card.findChild(QPushButton, "cash_deposit_button") is not None
                    and len(card.account_panels) == 1, timeout=20000)
    card.findChild(QPushButton, "cash_deposit_button").click()
    qtbot.waitUntil(lambda: window.findChild(CashDialog) is not None, timeout=10000)
    dialog = window.findChild(CashDialog)
    assert dialog.approval is not None  # with the hub: a four-eyes request
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)

    dialog.amount.setFocus()
    qtbot.keyClicks(dialog.amount, "12000")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter creates the draft and files it
    qtbot.waitUntil(lambda: dialog.approval.request is not None, timeout=15000)
    assert dialog.draft is not None and dialog.draft.needs_supervisor
    supervisor, void = dialog.supervisor_button, dialog.void_button
    qtbot.waitUntil(supervisor.hasFocus, timeout=2000)
    assert supervisor.isVisible() and supervisor.isDefault()
    assert void.isVisible() and not void.isDefault() and not void.autoDefault()

    # Enter on a focused Void starts nothing: no reason asked, nothing opened.
    void.setFocus()
    qtbot.keyClick(void, Qt.Key.Key_Return)
    assert dialog.void_prompt is None and dialog.approval.dialog is None

    # Enter in the amount field opens the supervisor's dialog for the filed request.
    dialog.amount.setFocus()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    approve = dialog.approval.dialog
    assert approve is not None
    qtbot.waitUntil(approve.isVisible, timeout=5000)
    assert dialog.void_prompt is None and dialog.receipt is None
    approve.reject()
    dialog.draft_settled = True  # closed without a prompt; the till's close voids the draft
    dialog.reject()


def test_the_report_entry_says_why_it_is_greyed_out(qtbot, arun, stack, window) -> None:  # type: ignore[no-untyped-def]
    desk = window.till_desk
    action = desk.report_action
    # the hub's till state read: no till (an action is enabled until then)
    qtbot.waitUntil(lambda: not desk.close_action.isEnabled(), timeout=10000)
    assert desk.open_action.isEnabled()
    assert action.isVisible() and not action.isEnabled()
    assert desk.menu.toolTipsVisible()
    assert action.toolTip() == REPORT_WHY and action.statusTip() == REPORT_WHY

    till = _open_till(arun, stack, window)
    closed = arun(_till(window).close(COUNTS))
    assert closed.id == till.id and closed.state == "closed"
    desk._closed(closed)  # what the close dialog's ``closed`` signal calls
    assert action.isEnabled() and action.statusTip() == ""
    action.trigger()
    qtbot.waitUntil(lambda: isinstance(desk.dialog, ReportDialog)
                    and desk.dialog.isVisible(), timeout=10000)
    desk.dialog.close()


def test_the_arrow_keys_reach_the_greyed_out_report_and_say_why(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    desk = window.till_desk
    menu, report = desk.menu, desk.report_action
    # the hub's till state read: no till (an action is enabled until then)
    qtbot.waitUntil(lambda: not desk.close_action.isEnabled(), timeout=10000)
    assert desk.open_action.isEnabled() and not desk.transfer_action.isEnabled()
    assert report.isVisible() and not report.isEnabled()
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible, timeout=5000)

    reached = []
    for _entry in menu.actions():
        qtbot.keyClick(menu, Qt.Key.Key_Down)
        reached.append(menu.activeAction())
        if menu.activeAction() is report:
            break
    assert desk.transfer_action in reached  # greyed out too (no till open), not skipped
    assert menu.activeAction() is report
    assert window.statusBar().currentMessage() == REPORT_WHY
    assert QToolTip.isVisible() and QToolTip.text() == REPORT_WHY
    # framed as the active entry (Fusion highlights enabled entries only)
    place = menu.actionGeometry(report)
    shown = menu.grab().toImage()
    frame = shown.pixelColor(place.left() + 1, place.center().y())
    assert frame == menu.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)

    qtbot.keyClick(menu, Qt.Key.Key_Return)  # still off: Enter opens nothing
    assert menu.isVisible() and desk.dialog is None
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5000)
