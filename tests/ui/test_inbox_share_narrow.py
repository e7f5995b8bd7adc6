"""The supervisor's approvals inbox beside a customer card in a narrow (860 px) window, in
Ukrainian, with the sandbox strip wrapping: the inbox leaves the card as wide as its page asks,
so nothing in the card scrolls sideways (the inbox's 45 % share, ~390 px, once squeezed the card
to ~340 px beside it: the strip's one long line had been what held the window wide), also
after the window is narrowed. On a wide window the inbox keeps ~45 %. Against the embedded
sandbox + Teller Hub."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QScrollArea, QWidget

from teller_app.ui.dock_share import first_width
from teller_app.ui.settings import switch_language

from .embedded_desk import SUPERVISOR, embedded_stack, hub_desk_window, open_new_customers_card

WIDTH = 860
stack = embedded_stack("ui-inbox-share-narrow")


def test_the_first_share_leaves_the_central_area_its_minimum() -> None:
    assert first_width(1280, 300, 350, 6) == 1280 * 9 // 20  # wide: ~45 %
    assert first_width(860, 300, 500, 6) == 860 - 500 - 6  # narrow: what the centre leaves
    assert first_width(700, 300, 500, 6) == 300  # never below the dock's own minimum


def _card_needs(card: QWidget) -> int:
    """The card's width with its page whole: the page's minimum and what is around it."""
    scroll = card.findChild(QScrollArea)
    return card.width() - scroll.viewport().width() + scroll.widget().minimumSizeHint().width()


def _whole(card: QWidget) -> bool:
    """Nothing in the card's page to scroll sideways."""
    scroll = card.findChild(QScrollArea)
    page, view = scroll.widget(), scroll.viewport()
    return (scroll.horizontalScrollBar().maximum() == 0
            and page.minimumSizeHint().width() <= view.width() and page.width() <= view.width())


@pytest.mark.slow
def test_the_inbox_leaves_a_card_whole_in_a_narrow_window(qtbot, ops, arun, stack) -> None:  # type: ignore[no-untyped-def]
    with hub_desk_window(qtbot, ops, arun, stack, SUPERVISOR, WIDTH) as desk:
        qtbot.waitExposed(desk)
        card = open_new_customers_card(qtbot, arun, stack, desk)
        dock, strip = desk.supervision.inbox_dock, desk.desk.strip
        english = card.back_button.text()
        try:
            switch_language("uk")
            qtbot.waitUntil(lambda: card.back_button.text() != english, timeout=5000)
            desk.layout().activate()
            # the strip is shown, wrapped onto more lines than its one long line
            assert strip.isVisible() and "ПІСОЧНИЦЯ" in strip.text()
            qtbot.waitUntil(lambda: strip.height() > strip.heightForWidth(4 * WIDTH), timeout=5000)
            # the inbox gave the card what its page asks: nothing scrolls sideways
            qtbot.waitUntil(lambda: _whole(card), timeout=5000)
            assert desk.width() <= WIDTH  # the window not held wider instead
            assert dock.isVisible() and dock.width() >= dock.minimumSizeHint().width()
            assert dock.width() + _card_needs(card) <= desk.width()
            # narrowed later: the inbox gives way again, as far as its own minimum
            shared = dock.width()
            narrower = WIDTH - (shared - dock.minimumSizeHint().width()) // 2
            desk.resize(narrower, desk.height())
            qtbot.waitUntil(lambda: dock.width() < shared and _whole(card), timeout=5000)
            assert desk.width() == narrower
            assert dock.width() + _card_needs(card) <= desk.width()
        finally:
            switch_language("en")
