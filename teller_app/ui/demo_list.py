"""The sign-in window's list of demo employees (sandbox only): its item roles and how it is
sized to its lines."""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QListWidget, QListWidgetItem

# USER_ROLE (0x0100) as plain ints, and ``QtCore.Qt`` only in functions: the Qt
# namespace builds ~100 enums (~20 ms), which the sign-in window's first paint does not need.
USER_ROLE = 0x0100
FULL_TEXT_ROLE = USER_ROLE + 1  # a demo line before any eliding
DEMO_ROWS_SHOWN = 6  # more demo employees scroll


def add_demo_item(demo: QListWidget, employee: dict[str, object], text: str) -> None:
    item = QListWidgetItem(text, demo)
    item.setData(USER_ROLE, employee)
    item.setData(FULL_TEXT_ROLE, text)
    item.setToolTip(text)


def fit_demo_list(demo: QListWidget, around: int) -> None:
    """Size the list to its lines (its window widens with it), up to most of the screen;
    past that a line is elided at the end and its tooltip has the whole text. ``around``:
    what the window, the group box and their margins take around the list."""
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
    spacing = 2 * demo.spacing() + 8  # the item's own text margins
    fits = cap - frame - scrollbar - spacing
    metrics = demo.fontMetrics()
    for i in range(rows):
        item = demo.item(i)
        full = str(item.data(FULL_TEXT_ROLE))
        item.setText(metrics.elidedText(full, QtCore.Qt.TextElideMode.ElideRight, fits))
    demo.setMinimumWidth(min(cap, demo.sizeHintForColumn(0) + frame + scrollbar + spacing))
