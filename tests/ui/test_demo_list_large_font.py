"""The sign-in window's demo list at a 14 pt font in Ukrainian (audit, a low-vision teller at
150 % on a 1366 px screen): every line is whole or cut with "…" inside the list, and the list
inside its window, however narrow the window is made; a cut line's tooltip and accessible
text are the whole line. (The list once held a minimum width its window, whose own minimum
is smaller, never took: lines ran past the window's right edge, cut without a mark.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QListWidget

from teller_app.ui.demo_list import FULL_TEXT_ROLE
from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog

LOW_VISION_SCREEN = 911  # 1366 px at 150 %, in logical px
NARROW = 480  # the window made narrow by the teller


@pytest.fixture()
def large_font(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    before = qapp.font()
    font = QFont(before)
    font.setPointSizeF(14)
    qapp.setFont(font)
    yield
    qapp.setFont(before)


def _lines_fit(dialog: SignInDialog, demo: QListWidget) -> None:
    right = demo.mapTo(dialog, QPoint(demo.width(), 0)).x()
    assert right <= dialog.width(), (right, dialog.width())  # the list inside its window
    assert demo.horizontalScrollBar().maximum() == 0
    metrics = demo.fontMetrics()
    for i in range(demo.count()):
        item = demo.item(i)
        whole = str(item.data(FULL_TEXT_ROLE))
        shown = item.text()
        assert shown == whole or (shown.endswith("…") and whole.startswith(shown[:-1])), shown
        assert demo.visualItemRect(item).right() <= demo.viewport().width()
        assert metrics.horizontalAdvance(shown) <= demo.viewport().width()
        assert item.toolTip() == whole
        assert item.data(Qt.ItemDataRole.AccessibleTextRole) == whole


def test_demo_lines_fit_their_window_at_14_pt_in_ukrainian(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox, large_font, ukrainian) -> None:
    dialog = SignInDialog([sandbox_target(sandbox.manifest)], ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.keyring_note.isVisible(), timeout=10000)  # fail backend
    demo = dialog.demo_list
    assert "Операціоніст" in str(demo.item(0).data(FULL_TEXT_ROLE))
    room = dialog.screen().availableGeometry().width()
    assert dialog.minimumSizeHint().width() <= min(room, LOW_VISION_SCREEN)
    assert dialog.width() <= room
    _lines_fit(dialog, demo)

    dialog.resize(NARROW, dialog.height())
    qtbot.waitUntil(lambda: dialog.width() == NARROW, timeout=5000)
    qtbot.waitUntil(lambda: demo.item(0).text().endswith("…"), timeout=5000)
    _lines_fit(dialog, demo)
