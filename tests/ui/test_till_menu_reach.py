"""The greyed-out End-of-day report entry of the Till menu is reached by the arrow keys, so
a keyboard or screen-reader user learns why it is off: reached, it is framed, says why in
the window's status bar and beside the entry, and Enter on it opens nothing. The desk
against the embedded sandbox + Teller Hub, signed in as a teller with no till closed in this
window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QToolTip

from teller_app.ui.till_desk import hub_cash

from .conftest import TELLER, make_window
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

WHY = ("The end-of-day report opens after you close your till in this window. The report of "
       "a till closed before the desk was restarted is not offered here.")

stack = embedded_stack("ui-till-menu-reach")


@pytest.fixture()
def window(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    session = hub_session(arun, stack, TELLER)
    win = make_window(qtbot, ops, session, stack.sandbox)
    yield win
    win._closing_for_sign_out = True
    ops.cancel_all()
    cash = hub_cash(session)
    assert cash is not None
    current = arun(cash.till.current())
    if current is not None:  # one till per teller: never leave one open
        arun(cash.till.close(current.open_counts, "test clean-up"))
    arun(session.close())


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
    assert window.statusBar().currentMessage() == WHY
    assert QToolTip.isVisible() and QToolTip.text() == WHY
    # framed as the active entry (Fusion highlights enabled entries only)
    place = menu.actionGeometry(report)
    shown = menu.grab().toImage()
    frame = shown.pixelColor(place.left() + 1, place.center().y())
    assert frame == menu.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)

    qtbot.keyClick(menu, Qt.Key.Key_Return)  # still off: Enter opens nothing
    assert menu.isVisible() and desk.dialog is None
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5000)
