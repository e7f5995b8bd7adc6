"""A low-vision teller's screen: 150 % on 1366x768 (911x512 px) and a 14 pt font. The till's
count dialogs and the branch cash position fit it, their buttons in view (they were below
the screen, the count dialogs wider than it too): the count stacks its coins under its
notes, the fields scroll, the buttons stay; a field that takes the focus is scrolled into
view, and Tab still goes notes then coins. At the default font the count dialogs look as
they did: notes and coins side by side, nothing to scroll. The close and the position run
against the embedded sandbox + Teller Hub.

The offscreen platform's one screen is 800x800: the screen's room is set to 911x512 here
(``screen_fit.available_room``, which the dialogs ask)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from teller_app.core.till import Till, TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui import till_position
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_dialog import TillOpenDialog
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_report import ReportContext

from .conftest import TELLER
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session, open_cosigned_till
from .small_screen import body_of, fits_room, in_view, in_window, low_vision_screen

COUNTS = {"note_100": 3}  # 300.00 UAH

stack = embedded_stack("ui-till-small-screen")


@pytest.fixture()
def low_vision(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[QRect]:
    """A 14 pt application font (restored after) on a 911x512 screen."""
    with low_vision_screen(qapp, monkeypatch, till_position) as room:
        yield room


def _shown(qtbot: Any, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)






def _settled(qtbot: Any, dialog: Any, room: QRect) -> None:
    """Within the screen (966x563 and 966x679 before), its count stacked (side by side is
    wider than the screen), grown to the screen's height (the stacked count is taller)."""
    def fits() -> None:
        assert fits_room(dialog, room), dialog.frameGeometry()

    qtbot.waitUntil(fits, timeout=5000)
    qtbot.waitUntil(lambda: dialog.grid.stacked, timeout=5000)
    qtbot.waitUntil(lambda: dialog.height() == dialog.maximumHeight(), timeout=5000)
    fits()


@pytest.mark.parametrize("language", ["english", "ukrainian"])  # Ukrainian: 996x563 before
def test_the_open_dialog_fits_and_scrolls_to_the_focus(qtbot: Any, ops: Any, language: str,
                                                      request: pytest.FixtureRequest,
                                                      low_vision: QRect) -> None:
    request.getfixturevalue(language)
    dialog = TillOpenDialog(ops, None)  # type: ignore[arg-type]  # nothing is sent
    _shown(qtbot, dialog)
    _settled(qtbot, dialog, low_vision)
    close = dialog.buttons.button(dialog.buttons.StandardButton.Close)
    assert in_window(dialog.open_button, dialog) and in_window(close, dialog)
    assert dialog.open_button.isDefault()
    body, spins = body_of(dialog), dialog.grid.spins
    assert body.verticalScrollBar().isVisible()  # taller than the screen: it scrolls
    assert not body.horizontalScrollBar().isVisible()  # never sideways

    # Tab goes from the last note to the first coin, under it now, and shows it
    last_coin = spins["coin_0.10"]
    assert QApplication.focusWidget() is dialog.grid.first_spin()
    assert not in_view(last_coin, body)
    spins["note_1"].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(spins["note_1"], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is spins["coin_10"]
    qtbot.waitUntil(lambda: in_view(spins["coin_10"], body), timeout=2000)
    # a field focused otherwise (a click, the code) is scrolled into view whole too
    last_coin.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: in_view(last_coin, body), timeout=2000)
    first = dialog.grid.first_spin()
    first.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: in_view(first, body), timeout=2000)
    qtbot.keyClick(first, Qt.Key.Key_Backtab)  # Shift+Tab: the till's code, at the top
    assert QApplication.focusWidget() is dialog.code
    qtbot.waitUntil(lambda: in_view(dialog.code, body), timeout=2000)


def test_the_count_dialogs_look_as_they_did_at_the_default_font(qtbot: Any,
                                                                ops: Any) -> None:
    till = Till(id="t1", till_code="K-01", state="open", teller="t@bank", branch_guid=None,
                open_total=Decimal("300"), expected=Decimal("300"))
    for dialog in (TillOpenDialog(ops, None),  # type: ignore[arg-type]  # nothing is sent
                   TillCloseDialog(ops, None, till, ReportContext("Bank", "Kyiv-1", "T"))):  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        body = body_of(dialog)
        qtbot.waitUntil(lambda d=dialog: d.size() == d.sizeHint(), timeout=5000)
        assert not dialog.grid.stacked  # notes and coins side by side
        assert not body.verticalScrollBar().isVisible()
        assert not body.horizontalScrollBar().isVisible()
        dialog.close()


@pytest.mark.slow
def test_the_till_closes_by_keyboard_on_a_small_screen(qtbot: Any, ops: Any, arun: Any,
                                                      stack: Any, english: Any,
                                                      low_vision: QRect) -> None:
    session = hub_session(arun, stack, TELLER)
    service = TillService(LinkCalls(session.hub), "ui-till-small")
    till = open_cosigned_till(arun, stack, service, session, f"S{uuid.uuid4().hex[:6]}",
                              COUNTS)
    dialog = TillCloseDialog(ops, service, till, ReportContext("Demo Bank", "Kyiv", "Olena"))
    try:
        _shown(qtbot, dialog)
        _settled(qtbot, dialog, low_vision)
        assert in_window(dialog.close_button, dialog)
        assert in_window(dialog.leave_button, dialog)
        assert dialog.close_button.isDefault()
        body = body_of(dialog)
        assert not in_view(dialog.reason, body)  # below the count, out of view

        dialog.grid.set_counts(COUNTS)
        last_coin = dialog.grid.spins["coin_0.10"]
        last_coin.setFocus(Qt.FocusReason.OtherFocusReason)
        qtbot.waitUntil(lambda: in_view(last_coin, body), timeout=2000)
        qtbot.keyClick(last_coin, Qt.Key.Key_Tab)  # the reason comes next: shown
        assert QApplication.focusWidget() is dialog.reason
        qtbot.waitUntil(lambda: in_view(dialog.reason, body), timeout=2000)
        qtbot.keyClicks(dialog.reason, "counted twice")
        with qtbot.waitSignal(dialog.closed, timeout=15000):
            qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter: "Close the till"
        assert dialog.status.text().startswith("The till is closed.")
        assert in_window(dialog.report_button, dialog)
        assert dialog.report_dialog is not None
        dialog.report_dialog.close()
    finally:
        ops.cancel_all()
        current = arun(service.current())
        if current is not None:
            arun(service.close(current.open_counts, "test clean-up"))
        arun(session.close())


@pytest.mark.slow
def test_the_branch_position_fits_a_small_screen(qtbot: Any, ops: Any, arun: Any,
                                                 stack: Any, english: Any,
                                                 low_vision: QRect) -> None:
    teller, supervisor = hub_session(arun, stack, TELLER), hub_session(arun, stack, SUPERVISOR)
    cash = hub_cash(teller)
    assert cash is not None
    open_cosigned_till(arun, stack, cash.till, teller, f"P{uuid.uuid4().hex[:5]}", COUNTS)
    view = BranchCashView(ops, TillService(LinkCalls(supervisor.hub), "sup"),
                          supervisor.branch_guid)
    try:
        with qtbot.waitSignal(view.loaded, timeout=15000):
            _shown(qtbot, view)
        assert fits_room(view, low_vision), view.frameGeometry()
        assert view.minimumSizeHint().height() <= low_vision.height()
        refresh = next(b for b in view.findChildren(QPushButton) if b.text() == "&Refresh")
        assert in_window(refresh, view) and in_window(view.close_button, view)
        # each table keeps rows in view (about one showed each): the tills three
        rows = view.tills.verticalHeader().defaultSectionSize()
        header = view.tills.horizontalHeader().height()
        assert view.tills.viewport().height() >= 3 * rows, (view.tills.height(), header)
        assert view.transfers.viewport().height() >= 2 * rows
        assert view.counts.viewport().height() >= rows
        body = body_of(view)
        assert body.verticalScrollBar().isVisible()
        assert not in_view(view.vault_button, body)
        # Alt+W ("Vault counts &waiting", its caption) focuses the last table: in view
        qtbot.keyClick(view, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is view.counts
        qtbot.waitUntil(lambda: in_view(view.counts, body), timeout=2000)
        view.close()
    finally:
        ops.cancel_all()
        current = arun(cash.till.current())
        if current is not None:
            arun(cash.till.close(current.open_counts, "test clean-up"))
        arun(teller.close())
        arun(supervisor.close())
