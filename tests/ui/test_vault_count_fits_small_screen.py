"""A low-vision supervisor's screen: 150 % on 1366x768 (911x512 px) and a 14 pt font. The
vault count dialog fits it as the till's count dialogs do
(``test_till_dialogs_fit_small_screen.py``): its count stacks its coins under its notes,
its fields scroll, its status and buttons stay in view under them (also the two a waiting
count shows), and a focused field is scrolled into view. Nothing is sent to a hub.

The offscreen platform's one screen is 800x800: the screen's room is set to 911x512 here
(``screen_fit.available_room``, which the dialog asks)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
)

from teller_app.core.till import VaultCount
from teller_app.ui.till_vault_count import VaultCountDialog

from .small_screen import body_of, fits_room, in_view, in_window, low_vision_screen

BOOK = Decimal("50000.00")
SUPERVISOR = "supervisor@bank"  # who counted (shown, never sent)


@pytest.fixture()
def low_vision(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[QRect]:
    """A 14 pt application font (restored after) on a 911x512 screen."""
    with low_vision_screen(qapp, monkeypatch) as room:
        yield room


def _dialog(qtbot: Any, ops: Any) -> VaultCountDialog:
    dialog = VaultCountDialog(ops, None, None, book=BOOK)  # type: ignore[arg-type]  # nothing is sent
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog






@pytest.mark.parametrize("language", ["english", "ukrainian"])  # Ukrainian: wider
def test_the_vault_count_fits_and_scrolls_to_the_focus(qtbot: Any, ops: Any, language: str,
                                                      request: pytest.FixtureRequest,
                                                      low_vision: QRect) -> None:
    request.getfixturevalue(language)
    dialog = _dialog(qtbot, ops)

    def fits() -> None:
        assert fits_room(dialog, low_vision), dialog.frameGeometry()

    qtbot.waitUntil(fits, timeout=5000)
    qtbot.waitUntil(lambda: dialog.grid.stacked, timeout=5000)  # side by side: too wide
    qtbot.waitUntil(lambda: dialog.height() == dialog.maximumHeight(), timeout=5000)
    fits()
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    close = box.button(QDialogButtonBox.StandardButton.Close)
    assert in_window(dialog.save, dialog) and in_window(close, dialog)
    body = body_of(dialog)
    assert body.verticalScrollBar().isVisible()  # taller than the screen: it scrolls
    assert not body.horizontalScrollBar().isVisible()  # never sideways

    # the bottom coin, under the notes and out of view, is scrolled into view when focused
    spins = dialog.grid.spins
    last_coin = spins["coin_0.10"]
    assert not in_view(last_coin, body)
    last_coin.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: in_view(last_coin, body), timeout=2000)
    qtbot.keyClick(last_coin, Qt.Key.Key_Tab)  # the reason comes next: shown
    assert QApplication.focusWidget() is dialog.reason
    qtbot.waitUntil(lambda: in_view(dialog.reason, body), timeout=2000)
    first = dialog.grid.first_spin()
    first.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: in_view(first, body), timeout=2000)

    # the count differs: the status asks for the reason, in the window, not scrolled away
    dialog.grid.set_counts({"note_1000": 49})
    assert dialog.status.text() and in_window(dialog.status, dialog)
    assert not dialog.save.isEnabled()

    # it waits for a co-sign: what it waits for and the two buttons that came, in view
    count = VaultCount("c-1", Decimal("49000.00"), BOOK, Decimal("-1000.00"), "pending",
                       SUPERVISOR, "recount")
    dialog._wait_for_cosign(count)
    qtbot.waitUntil(fits, timeout=5000)
    assert in_window(dialog.cosign_status, dialog)
    qtbot.waitUntil(lambda: in_window(dialog.refresh_button, dialog), timeout=5000)
    assert in_window(close, dialog)


def test_the_vault_count_looks_as_it_did_at_the_default_font(qtbot: Any, ops: Any,
                                                            english: Any) -> None:
    dialog = _dialog(qtbot, ops)
    body = body_of(dialog)
    qtbot.waitUntil(lambda: dialog.size() == dialog.sizeHint(), timeout=5000)
    assert not dialog.grid.stacked  # notes and coins side by side
    assert not body.verticalScrollBar().isVisible()
    assert not body.horizontalScrollBar().isVisible()
