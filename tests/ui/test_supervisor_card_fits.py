"""A supervisor's customer card beside the approvals inbox fits a 1280 px screen in Ukrainian:
the card's eight buttons wrap onto a second line instead of making the window wider than the
screen (VQA: 1452 px); every button stays whole and inside the card; the details and the accounts
stand one above the other there (side by side they cut the IBAN and scrolled sideways), and
side by side again when the inbox is closed. Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QPushButton, QScrollArea, QWidget

from teller_app.ui.settings import switch_language

from .embedded_desk import SUPERVISOR, embedded_stack, hub_desk_window, open_new_customers_card

pytestmark = pytest.mark.slow

SCREEN_WIDTH = 1280
stack = embedded_stack("ui-supervisor-card-fits")


@pytest.fixture()
def desk(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR, SCREEN_WIDTH) as window:
        yield window


def _whole_and_inside(card: QWidget, button: QPushButton) -> bool:
    right = button.mapTo(card, QPoint(button.width(), 0)).x()
    return button.width() >= button.minimumSizeHint().width() and right <= card.width()


def test_the_card_beside_the_inbox_fits_in_ukrainian(qtbot, arun, stack, desk) -> None:  # type: ignore[no-untyped-def]
    card = open_new_customers_card(qtbot, arun, stack, desk)
    dock = desk.supervision.inbox_dock
    supervision = card.findChild(QWidget, "supervisionActions")
    row = [b for b in (card.back_button, card.refresh_button, card.edit_button,
                       card.open_account_button, *supervision.buttons())
           if b.isVisible()]
    assert len(row) >= 6
    english = card.back_button.text()
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: card.back_button.text() != english, timeout=5000)
        # laid out again in the longer words: each button whole, inside the card ...
        qtbot.waitUntil(lambda: all(_whole_and_inside(card, b) for b in row), timeout=5000)
        desk.layout().activate()
        # ... and the window no wider than the screen
        assert desk.minimumSizeHint().width() <= SCREEN_WIDTH
        assert desk.width() <= SCREEN_WIDTH
        # the card's ~700 px: accounts under the details, nothing to scroll sideways
        qtbot.waitUntil(lambda: not card.columns.side_by_side(), timeout=5000)
        scroll = card.findChild(QScrollArea)
        qtbot.waitUntil(lambda: not scroll.horizontalScrollBar().isVisible(), timeout=5000)
        details_bottom = max(label.mapTo(card, QPoint(0, label.height())).y()
                             for label in card.detail_labels.values() if label.isVisible())
        assert card.accounts_title.mapTo(card, QPoint(0, 0)).y() >= details_bottom
        panel = card.account_panels[0]
        assert panel.mapTo(card, QPoint(panel.width(), 0)).x() <= scroll.viewport().width() + 6
        dock.close()  # the whole window's width: side by side again
        qtbot.waitUntil(card.columns.side_by_side, timeout=5000)
        assert card.accounts_title.mapTo(card, QPoint(0, 0)).y() < details_bottom
        dock.show()  # and from side by side, narrowed again: stacked again
        qtbot.waitUntil(lambda: not card.columns.side_by_side(), timeout=5000)
        qtbot.waitUntil(lambda: not scroll.horizontalScrollBar().isVisible(), timeout=5000)
    finally:
        switch_language("en")
