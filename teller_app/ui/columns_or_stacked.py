"""Two columns side by side while both fit at their preferred widths, else one above the
other. A customer card beside the supervisor's inbox on a 1280 px screen has ~700 px: its
details and accounts side by side cut the IBAN and scrolled sideways; stacked, both read
whole and the card scrolls down, as a page does."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QBoxLayout, QLayout


class ColumnsOrStacked(QBoxLayout):
    """``first`` and ``second`` with ``gap`` between them; side by side they share spare
    width 2:3, stacked ``second`` takes the spare height (no gap opens between them). The
    direction follows the width the layout is given (its preferred widths do not depend on
    it, so it never flips back and forth)."""

    def __init__(self, first: QLayout, second: QLayout, gap: int = 16) -> None:
        super().__init__(QBoxLayout.Direction.LeftToRight)
        self._columns = (first, second)
        self._gap = gap
        self.addLayout(first, 2)
        self.addSpacing(gap)
        self.addLayout(second, 3)

    def side_by_side(self) -> bool:
        return self.direction() == QBoxLayout.Direction.LeftToRight

    def setGeometry(self, rect: QRect) -> None:
        first, second = self._columns
        wanted = first.sizeHint().width() + self._gap + second.sizeHint().width()
        side = rect.width() >= wanted
        if side != self.side_by_side():
            self.setDirection(QBoxLayout.Direction.LeftToRight if side
                              else QBoxLayout.Direction.TopToBottom)
            self.setStretch(0, 2 if side else 0)
            self.setStretch(2, 3 if side else 1)
        super().setGeometry(rect)
