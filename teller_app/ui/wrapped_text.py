"""Wrapped texts that are never clipped: a window grown to the height its wrapped labels
need, and a label that takes the height it needs up to a cap, then scrolls."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget


def grow_to_fit(window: QWidget) -> None:
    """Grow (never shrink) ``window`` to its size hint and to the height its wrapped texts
    need at the width taken, within the screen. A layout's minimum size ignores a wrapped
    label's height, so a text that arrives or wraps after the window opened was clipped.
    Call it when the window is shown and on its LayoutRequest (the texts have settled)."""
    layout = window.layout()
    if layout is None or not window.isVisible():
        return
    layout.activate()
    room = window.screen().availableGeometry()
    width = min(max(window.width(), window.sizeHint().width()), room.width())
    height = max(window.height(), window.sizeHint().height(), window.heightForWidth(width))
    height = min(height, room.height())
    if QSize(width, height) != window.size():
        window.resize(width, height)


class WrappedTextArea(QScrollArea):
    """A word-wrapped label as tall as its text at the width given, up to ``max_lines``
    lines; a longer text scrolls inside instead of growing the window without bound."""

    def __init__(self, label: QLabel, parent: QWidget | None = None, *,
                 max_lines: int = 8) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(label)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # until its text needs scrolling
        # the text on the dialog's own background, as the labels beside it
        label.setAutoFillBackground(False)
        self.viewport().setAutoFillBackground(False)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
        self.setSizePolicy(policy)

    def set_text(self, text: str) -> None:
        """The label's new text; the layout asks this area again (it caches our height)."""
        label = self.widget()
        if isinstance(label, QLabel):
            label.setText(text)
        self._scroll_if_capped(self.width())
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._scroll_if_capped(event.size().width())
        super().resizeEvent(event)

    def _scroll_if_capped(self, width: int) -> None:
        """A scroll bar only past the cap: one shown while the area was still short would
        narrow the text, which then needs it, and it would stay."""
        label = self.widget()
        needed = label.heightForWidth(width - 2 * self.frameWidth()) if label else 0
        capped = needed > self._cap()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if capped
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # a Tab stop only when there is something to scroll with the keys: an unframed
        # area taking the focus would be an invisible stop between the fields
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if capped else Qt.FocusPolicy.NoFocus)

    def _cap(self) -> int:
        return self.fontMetrics().lineSpacing() * self.max_lines

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        label = self.widget()
        frame = 2 * self.frameWidth()
        needed = label.heightForWidth(width - frame) if label is not None else 0
        return min(needed, self._cap()) + frame

    def sizeHint(self) -> QSize:
        # the label's own (wrapping) hint: QScrollArea keeps the first one it saw, empty
        label = self.widget()
        width = (label.sizeHint().width() if label is not None else 0) + 2 * self.frameWidth()
        return QSize(width, self.heightForWidth(width))

