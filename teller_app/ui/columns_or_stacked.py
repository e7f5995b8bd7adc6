"""Two columns side by side while both fit at their preferred widths, else one above the
other. A customer card beside the supervisor's inbox on a 1280 px screen has ~700 px: its
details and accounts side by side cut the IBAN and scrolled sideways; stacked, both read
whole and the card scrolls down, as a page does."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, QTimer
from PySide6.QtWidgets import QBoxLayout, QLayout


class ColumnsOrStacked(QBoxLayout):
    """``first`` and ``second`` with ``gap`` between them; side by side they share spare
    width 2:3, stacked ``second`` takes the spare height (no gap opens between them). The
    direction follows the width the layout is given (its preferred widths do not depend on
    it, so it never flips back and forth); it changes right after the layout pass that found
    it wrong, never during one (a layout changed while Qt lays it out is asking for trouble)."""

    def __init__(self, first: QLayout, second: QLayout, gap: int = 16) -> None:
        super().__init__(QBoxLayout.Direction.LeftToRight)
        self._columns = (first, second)
        self._gap = gap
        self._width = 0  # the width of the last layout pass
        self._switch_due = False
        self.addLayout(first, 2)
        self.addSpacing(gap)
        self.addLayout(second, 3)

    def side_by_side(self) -> bool:
        return self.direction() == QBoxLayout.Direction.LeftToRight

    def minimumSize(self) -> QSize:
        """As narrow as the wider column (stacked): side by side, the two minimums added
        would keep a scroll area's page from ever getting narrow enough to stack."""
        first, second = self._columns
        return QSize(max(first.minimumSize().width(), second.minimumSize().width()),
                     super().minimumSize().height())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._width = rect.width()
        if self._fits() != self.side_by_side() and not self._switch_due:
            self._switch_due = True
            QTimer.singleShot(0, self, self._switch)

    def _fits(self) -> bool:
        first, second = self._columns
        between = max(0, self.spacing())  # the box's own spacing, on each side of the gap
        return self._width >= (first.sizeHint().width() + self._gap + 2 * between
                               + second.sizeHint().width())

    def _switch(self) -> None:
        self._switch_due = False
        side = self._fits()  # the latest width: it may have moved back meanwhile
        if side == self.side_by_side():
            return
        self.setDirection(QBoxLayout.Direction.LeftToRight if side
                          else QBoxLayout.Direction.TopToBottom)
        self.setStretch(0, 2 if side else 0)
        self.setStretch(2, 3 if side else 1)
