"""A supervisor's customer card beside the approvals inbox in Ukrainian, in a 900 px window and
then narrowed until the card is as narrow as its page allows (~800 px window here): its
supervision buttons (disable, cash, history) wrap one by one with the card's own, so every
button stays whole inside the visible card and nothing scrolls sideways. As one block (~530 px)
they held the card, and the window, wider than that, or were squeezed, clipping their words.
Tab goes through the buttons in the order they are read. Against the embedded sandbox + Teller
Hub, as a desk on the real platform shows it (without the sandbox's strip)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QWidget

from teller_app.ui.settings import switch_language

from .embedded_desk import SUPERVISOR, embedded_stack, hub_desk_window, open_new_customers_card

pytestmark = pytest.mark.slow

WIDTH = 900
SUPERVISION_BUTTONS = ("toggleDisabledButton", "requestChangeButton", "cash_deposit_button",
                       "cash_withdrawal_button", "accountHistoryButton")
stack = embedded_stack("ui-supervisor-card-narrow")


@pytest.fixture()
def desk(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR, WIDTH) as window:
        # the real platform's desk: no sandbox strip (test_inbox_share_narrow has it)
        window.desk.strip.hide()
        window.show()
        qtbot.waitExposed(window)
        yield window


def _row(card: QWidget) -> list[QPushButton]:
    """The card's shown buttons above its page: its own, then supervision's."""
    supervision = [b for b in card.findChildren(QPushButton)
                   if b.objectName() in SUPERVISION_BUTTONS]
    return [b for b in (card.back_button, card.refresh_button, card.edit_button,
                        card.open_account_button, *supervision) if b.isVisible()]


def _inside(card: QWidget, button: QPushButton) -> bool:
    """Whole (as wide as its text asks: a squeezed button clips its words) and within the
    card's own rectangle."""
    top_left = button.mapTo(card, QPoint(0, 0))
    bottom_right = button.mapTo(card, QPoint(button.width(), button.height()))
    return (button.width() >= button.sizeHint().width()
            and top_left.x() >= 0 and top_left.y() >= 0
            and bottom_right.x() <= card.width() and bottom_right.y() <= card.height())


def _fits(card: QWidget, row: list[QPushButton]) -> bool:
    """Every button whole inside the card, and nothing to scroll sideways: the card's page
    asks no more than its view's width."""
    scroll = card.findChild(QScrollArea)
    page, view = scroll.widget(), scroll.viewport()
    return (all(_inside(card, b) for b in row)
            and page.minimumSizeHint().width() <= view.width() and page.width() <= view.width())


def _narrowed(qtbot, desk: QWidget, dock: QWidget, width: int) -> int:  # type: ignore[no-untyped-def]
    """``desk`` made ``width`` wide with the inbox ``dock`` at its narrowest (as far as the
    window's minimum lets it); ``width``."""
    desk.resize(width, desk.height())
    desk.resizeDocks([dock], [0], Qt.Orientation.Horizontal)
    desk.layout().activate()
    qtbot.waitUntil(lambda: dock.width() == dock.minimumSizeHint().width()
                    or desk.width() > width, timeout=3000)
    return width


def _seen_order(card: QWidget, buttons: list[QPushButton]) -> list[QPushButton]:
    """Line by line, left to right, as they are read (a line's buttons share their top)."""
    return sorted(buttons, key=lambda b: (b.mapTo(card, QPoint(0, 0)).y(),
                                          b.mapTo(card, QPoint(0, 0)).x()))


def test_a_narrow_supervisor_card_beside_the_inbox_shows_every_button(  # type: ignore[no-untyped-def]
        qtbot, arun, stack, desk) -> None:
    card = open_new_customers_card(qtbot, arun, stack, desk)
    dock = desk.supervision.inbox_dock
    row = _row(card)
    names = [b.objectName() for b in row]
    assert {"cash_deposit_button", "accountHistoryButton"} <= set(names), names
    english = card.back_button.text()
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: card.back_button.text() != english, timeout=5000)
        desk.layout().activate()
        qtbot.waitUntil(lambda: _fits(card, row), timeout=5000)
        assert desk.width() <= WIDTH
        # narrowed until the card is as narrow as its page allows (the accounts' IBAN rows),
        # the inbox at its narrowest: the buttons, wrapping, never hold the card wider
        scroll = card.findChild(QScrollArea)
        narrowest = _narrowed(qtbot, desk, dock, WIDTH - 100)  # its accounts now stacked
        qtbot.waitUntil(lambda: not card.columns.side_by_side(), timeout=5000)
        spare = scroll.viewport().width() - scroll.widget().minimumSizeHint().width()
        narrowest = _narrowed(qtbot, desk, dock, narrowest - spare)
        assert desk.width() <= narrowest  # not held wider by the buttons
        qtbot.waitUntil(lambda: _fits(card, row), timeout=5000)
        assert card.mapTo(desk, QPoint(card.width(), 0)).x() <= desk.width()
        assert _row(card) == row  # the same buttons, in the same order in the row
        # wrapped one by one: supervision's buttons (one block before) take more than a line
        assert len({b.mapTo(card, QPoint(0, 0)).y() for b in row
                    if b.objectName() in SUPERVISION_BUTTONS}) >= 2
        # Tab goes through them as they are read, line by line
        seen = _seen_order(card, row)
        assert seen == row, [b.objectName() or b.text() for b in seen]
        desk.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is desk, timeout=5000)
        row[0].setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(row[0].hasFocus, timeout=2000)
        tabbed = [row[0]]
        for _ in row[1:]:
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            tabbed.append(QApplication.focusWidget())
        assert tabbed == row, [getattr(w, "objectName", lambda: "?")() for w in tabbed]
    finally:
        switch_language("en")
