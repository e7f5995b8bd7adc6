"""A layout that puts its items left to right and wraps onto the next line when the width
runs out, as words in a paragraph. A row of filters then takes two lines on a narrow window
instead of making the whole window wider than a 1280 px screen can give it."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

QWIDTH_MAX = 16777215  # Qt's QWIDGETSIZE_MAX: a line as wide as any


class FlowLayout(QLayout):
    """Items keep their size hints (no stretching), each line is as tall as its tallest item
    and items are centred in it. Its minimum width is the widest item's minimum; its height
    follows the width (``heightForWidth``, which a box layout takes as the least height at
    that width). Given less than that (a window too short for it: put the flow in a
    ``ScrollWhenShort``), the lines that do not fit are cut at its bottom, never drawn over
    what lies below it."""

    def __init__(self, parent: QWidget | None = None, h_spacing: int = 6,
                 v_spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.h_spacing = h_spacing
        self.v_spacing = v_spacing
        self.setContentsMargins(0, 0, 0, 0)

    # -- the QLayout interface ------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def insertWidget(self, index: int, widget: QWidget) -> None:
        """``widget`` at ``index`` (the end when out of range), as a box layout's."""
        self.addWidget(widget)  # Qt's own path: parented to the layout's widget, shown
        if 0 <= index < len(self._items) - 1:
            self._items.insert(index, self._items.pop())
            self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """The wrapped height: every line the items take at ``width``."""
        return self._place(QRect(0, 0, width, 0), move=False)

    def minimumHeightForWidth(self, width: int) -> int:
        return self.heightForWidth(width)  # items never shrink below their hints' lines

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one line, as wide as the items want."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self.h_spacing * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:
        """As wide as the widest item's minimum (one item a line at worst), as high as one
        line is placed: the least it ever takes. The wrapped height at a width is
        ``heightForWidth``'s (what Qt's layouts ask of a layout that has one); a minimum
        height of every line at the narrowest width would hold a wide window (and a scroll
        area's content) as tall as a narrow one."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
            size.setHeight(max(size.height(), self._size_in(item, QWIDTH_MAX).height()))
        return size.grownBy(self.contentsMargins())

    # -- placing --------------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    @staticmethod
    def _size_in(item: QLayoutItem, width: int) -> QSize:
        """``item``'s size on a line ``width`` wide: its hint, an item wider than the line
        shrunk to the line, never below its minimum; as high as it then needs when its
        height follows its width (a flow inside, a wrapped label)."""
        hint = item.sizeHint()
        size = hint.boundedTo(QSize(width, hint.height())).expandedTo(item.minimumSize())
        if item.hasHeightForWidth():
            size.setHeight(max(size.height(), item.heightForWidth(size.width())))
        return size

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (only measure unless ``move``); the height used."""
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = 0
        for item in self._shown():
            size = self._size_in(item, area.width())
            if lines[-1] and x + self.h_spacing + size.width() > area.width():
                lines.append([])
                x = 0
            elif lines[-1]:
                x += self.h_spacing
            lines[-1].append((item, size))
            x += size.width()
        y = area.y()
        for line in lines:
            height = max((s.height() for _i, s in line), default=0)
            x = area.x()
            for item, size in line:
                if move:
                    top = y + (height - size.height()) // 2
                    item.setGeometry(self._within(QRect(QPoint(x, top), size), area))
                x += size.width() + self.h_spacing
            y += height + self.v_spacing
        used = y - self.v_spacing - area.y() if any(lines) else 0
        return used + margins.top() + margins.bottom()

    @staticmethod
    def _within(placed: QRect, area: QRect) -> QRect:
        """``placed`` cut to ``area``: a line below its bottom gets no room (drawn over the
        widgets under the flow it overlapped them, and took their clicks)."""
        inside = placed.intersected(area)
        return inside if not inside.isEmpty() else QRect(placed.topLeft(), QSize(0, 0))
