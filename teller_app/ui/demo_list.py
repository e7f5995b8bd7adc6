"""The sign-in window's list of demo employees (sandbox only): its item roles and how it is
sized to its lines."""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidget, QListWidgetItem

# USER_ROLE (0x0100) and ACCESSIBLE_TEXT_ROLE as plain ints, and ``QtCore.Qt`` only in
# functions: the Qt namespace builds ~100 enums (~20 ms), which the sign-in window's first
# paint does not need.
USER_ROLE = 0x0100
FULL_TEXT_ROLE = USER_ROLE + 1  # a demo line before any eliding
ACCESSIBLE_TEXT_ROLE = 11  # Qt.ItemDataRole.AccessibleTextRole: what a screen reader says
DEMO_ROWS_SHOWN = 6  # more demo employees scroll
TEXT_MARGINS = 8  # an item's own text margins, beside 2 * the list's spacing


def add_demo_item(demo: QListWidget, employee: dict[str, object], text: str) -> None:
    item = QListWidgetItem(text, demo)
    item.setData(USER_ROLE, employee)
    item.setData(FULL_TEXT_ROLE, text)
    item.setData(ACCESSIBLE_TEXT_ROLE, text)  # the whole line, even when it is shown cut
    item.setToolTip(text)


def fit_demo_list(demo: QListWidget, around: int) -> None:
    """Size the list to its lines: its window is widened to show them whole, up to most of the
    screen. The list holds its window no wider than that: a line longer than the list is at
    any moment is elided at the end (its tooltip and accessible text have the whole line),
    again whenever the list is resized. ``around``: what the window, the group box and their
    margins take around the list."""
    rows = demo.count()
    if not rows:
        return
    frame = 2 * demo.frameWidth()
    shown_rows = min(rows, DEMO_ROWS_SHOWN)
    scrollbar = demo.verticalScrollBar().sizeHint().width() if rows > shown_rows else 0
    row_height = max(demo.sizeHintForRow(i) for i in range(rows))
    demo.setFixedHeight(row_height * shown_rows + frame + 2 * demo.spacing() + 2)
    screen = demo.screen() or QGuiApplication.primaryScreen()
    cap = (int(screen.availableGeometry().width() * 0.9) if screen else 1200) - around
    metrics = demo.fontMetrics()
    spacing = 2 * demo.spacing() + TEXT_MARGINS
    lines = max(metrics.horizontalAdvance(str(demo.item(i).data(FULL_TEXT_ROLE)))
                for i in range(rows))
    # No minimum width of its own: one set to the lines' width held the window (whose
    # minimum is its own, 460) no wider, so the list ran past its right edge, cut unelided.
    demo.setMinimumWidth(0)
    _LineElider.watch(demo)
    window = demo.window()
    want = min(cap, lines + frame + scrollbar + spacing) + around
    if window.isVisible() and window.width() < want:
        window.resize(want, window.height())
    elide_lines(demo)


def elide_lines(demo: QListWidget) -> None:
    """Each line as much of its whole text as the list's width shows, "…" where it is cut."""
    fits = demo.viewport().width() - 2 * demo.spacing() - TEXT_MARGINS
    metrics = demo.fontMetrics()
    for i in range(demo.count()):
        item = demo.item(i)
        full = str(item.data(FULL_TEXT_ROLE))
        shown = metrics.elidedText(full, QtCore.Qt.TextElideMode.ElideRight, max(fits, 0))
        if item.text() != shown:
            item.setText(shown)


class _LineElider(QObject):
    """Elides the list's lines again each time its viewport is resized."""

    @classmethod
    def watch(cls, demo: QListWidget) -> None:
        if demo.findChild(cls) is None:  # once per list
            demo.viewport().installEventFilter(cls(demo))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        demo = self.parent()
        if event.type() == QEvent.Type.Resize and isinstance(demo, QListWidget):
            elide_lines(demo)
        return False
