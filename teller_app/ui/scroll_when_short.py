"""A part of a window that keeps its natural height while there is room and scrolls when
the window is too short for it (a large font on a small screen: 150 % and 14 pt leave
~512 px). A box layout squeezed below what its word-wrapped labels and wrapping rows need
draws them over each other; inside this area they keep their height and the area scrolls.

The area asks its content's height at the width it has (``heightForWidth``) as its size
hint, so with room it looks as the content did without it; its minimum is ``least()``
high. It never claims height-for-width itself: a box layout takes such an item's height
for the width as its minimum, and the area could then never give way. A widget taking the
keyboard focus inside is scrolled into view, so Tab reaches every control."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class ScrollWhenShort(QScrollArea):
    def __init__(self, content: QWidget, least: Callable[[], int],
                 parent: QWidget | None = None, *, keys_scroll: bool = False) -> None:
        super().__init__(parent)
        self._least = least
        self._keys_scroll = keys_scroll  # texts only: the area takes Tab when it scrolls
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        # sideways only past the content's minimum width (a vertical bar narrowed it): a
        # minimum widened by the bar would make the window wider at every size
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the controls inside take the focus
        self.setWidget(content)
        # the content on the window's own background, as it was without the area
        content.setAutoFillBackground(False)
        self.viewport().setAutoFillBackground(False)
        # no share of spare height: the stretchy parts beside it (tables) take that
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        content.installEventFilter(self)  # its layout asked again: so is this area's hint
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    # -- sizes ----------------------------------------------------------------------------
    def _content_height(self, width: int) -> int:
        content = self.widget()
        if content is None:
            return 0
        if content.hasHeightForWidth():
            return content.heightForWidth(max(width, content.minimumSizeHint().width()))
        return content.sizeHint().height()

    def sizeHint(self) -> QSize:
        """The content's width, and its height at the width this area has (QScrollArea
        keeps the first hint it saw). Not laid out yet, its height at its narrowest: too
        tall for a first layout rather than too short (a bar, and the content squeezed,
        until the next); the resize that follows asks again."""
        content = self.widget()
        frame = 2 * self.frameWidth()
        if content is None:
            return QSize(frame, frame)
        laid_out = self.testAttribute(Qt.WidgetAttribute.WA_Resized)
        width = self.width() - frame if laid_out else content.minimumSizeHint().width()
        return QSize(content.sizeHint().width() + frame, self._content_height(width) + frame)

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        frame = 2 * self.frameWidth()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + frame, min(self._least(), self.sizeHint().height() - frame)
                     + frame)

    def hasHeightForWidth(self) -> bool:
        return False  # see the module's note

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.updateGeometry()  # resized while hidden, the layout was not asked again

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._bar_if_short(event.size())
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the hint's height follows the width

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._bar_if_short(self.size())
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _bar_if_short(self, size: QSize) -> None:
        """A scroll bar only when the content is taller than the area at its full width:
        QScrollArea measures it at the width its bar left, so a bar shown while the area was
        short narrowed the content, which then needed it, and it stayed."""
        frame = 2 * self.frameWidth()
        short = self._content_height(size.width() - frame) > size.height() - frame
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if short
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # texts with no control among them are scrolled with the keys by a Tab stop on the
        # area, there only while they scroll (an invisible stop otherwise)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if short and self._keys_scroll
                            else Qt.FocusPolicy.NoFocus)

    # -- the keyboard ---------------------------------------------------------------------
    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        content = self.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            margin = self.fontMetrics().height() // 2
            self.ensureWidgetVisible(new, margin, margin)


def scrolling_part(least: Callable[[], int], *parts: QWidget | QLayout,
                   at_left: Sequence[QWidget] = (), keys_scroll: bool = False
                   ) -> ScrollWhenShort:
    """``parts`` one under another in a ``ScrollWhenShort`` at least ``least()`` high, in
    the Tab order they are given; those ``at_left`` keep their own width, at the left."""
    content = QWidget()
    column = QVBoxLayout(content)
    column.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, QLayout):
            column.addLayout(part)
        elif part in at_left:
            column.addWidget(part, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            column.addWidget(part)
    return ScrollWhenShort(content, least, keys_scroll=keys_scroll)
