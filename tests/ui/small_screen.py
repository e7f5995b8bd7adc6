"""A low-vision teller's screen for the fit tests: 150 % on 1366x768 (911x512 logical px)
and a 14 pt application font. The offscreen platform's one screen is 800x800, so the room
the dialogs ask ``screen_fit.available_room`` for is set to ``ROOM``. And what the tests
look at: a dialog's scrolling body, whether it fits, a widget in the window or in view."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractScrollArea, QScrollArea, QWidget

from teller_app.ui import screen_fit

ROOM = QRect(0, 0, 911, 512)  # 1366x768 at 150 %


@contextmanager
def low_vision_screen(qapp: Any, monkeypatch: pytest.MonkeyPatch,
                      *importers: ModuleType) -> Iterator[QRect]:
    """A 14 pt application font (restored after) on a ``ROOM`` screen; ``importers``: modules
    that imported ``available_room`` by name."""
    before = qapp.font()
    font = QFont(before)
    font.setPointSizeF(14)
    qapp.setFont(font)
    for module in (screen_fit, *importers):
        monkeypatch.setattr(module, "available_room", lambda _widget: ROOM)
    try:
        yield ROOM
    finally:
        qapp.setFont(before)


def body_of(dialog: QWidget) -> QScrollArea:
    body = dialog.findChild(QScrollArea, "scrollBody")
    assert body is not None, "the dialog's fields do not scroll"
    return body


def fits_room(dialog: QWidget, room: QRect) -> bool:
    frame = dialog.frameGeometry()
    return frame.width() <= room.width() and frame.height() <= room.height()


def in_window(widget: QWidget, dialog: QWidget) -> bool:
    """Shown, and wholly inside the window (not under a scroll area's edge either)."""
    rect = QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())
    inside = widget.parentWidget()
    while inside is not None and inside is not dialog:
        if isinstance(inside, QAbstractScrollArea):
            return False  # it would scroll away
        inside = inside.parentWidget()
    return widget.isVisible() and dialog.rect().contains(rect)


def in_view(widget: QWidget, body: QScrollArea) -> bool:
    viewport = body.viewport()
    return viewport.rect().contains(QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size()))
