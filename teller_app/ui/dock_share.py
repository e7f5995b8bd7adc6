"""The approvals inbox dock's width beside the central area (a customer card).

First ~45 % of the window (its table fits), but never more than leaves the central widget its
minimum, nor less than the dock's own minimum. The card's page sits in a scroll area, so the
central widget's minimum does not count it: when a watched page would scroll sideways (a card
opened or filled, a language switched, the window narrowed) the dock gives that width back,
down to its own minimum. It never grows again by itself, and a separator the user drags is
left where they put it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QScrollArea, QStyle, QWidget
from shiboken6 import isValid

if TYPE_CHECKING:
    from teller_app.ui.main_window import MainWindow

SIDE_AREAS = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def first_width(window_width: int, dock_minimum: int, central_minimum: int,
                between: int) -> int:
    """~45 % of ``window_width``, leaving the central area ``central_minimum`` (``between``:
    the separator), never below ``dock_minimum``."""
    return max(dock_minimum, min(window_width * 9 // 20,
                                 window_width - central_minimum - between))


class DockShare(QObject):
    """``dock`` (beside ``window``'s central widget) sized once, then giving way to the pages
    of ``window``'s tabs (their own scroll areas) that would scroll sideways."""

    def __init__(self, window: MainWindow, dock: QDockWidget) -> None:
        super().__init__(dock)  # goes with the dock
        self._window = window
        self._dock = dock
        self._scrolls: list[QScrollArea] = []
        self._due = False
        window.customer_card_opened.connect(self.watch)
        for i in range(window.tabs.count()):  # cards open before the dock
            page = window.tabs.widget(i)
            if page is not None:
                self.watch(page)

    def share_first(self) -> None:
        window, dock = self._window, self._dock
        central = window.centralWidget()
        between = window.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent,
                                             None, window)
        width = first_width(window.width(), dock.minimumSizeHint().width(),
                            central.minimumSizeHint().width() if central is not None else 0,
                            between)
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def watch(self, page: QWidget) -> None:
        """``page``'s own scroll areas (not those nested in its fields) are kept whole."""
        for scroll in page.findChildren(QScrollArea, "", Qt.FindChildOption.FindDirectChildrenOnly):
            if scroll.widgetResizable():
                self._scrolls.append(scroll)
                scroll.horizontalScrollBar().rangeChanged.connect(self._schedule)

    def _schedule(self) -> None:
        # after the layout pass that changed the range: never resize docks during one
        if not self._due:
            self._due = True
            QTimer.singleShot(0, self, self._give_way)

    def _give_way(self) -> None:
        self._due = False
        window, dock = self._window, self._dock
        self._scrolls = [s for s in self._scrolls if isValid(s)]
        if (dock.isFloating() or not dock.isVisible()
                or window.dockWidgetArea(dock) not in SIDE_AREAS
                or QApplication.mouseButtons() != Qt.MouseButton.NoButton):  # a drag: theirs
            return
        lack = max((s.horizontalScrollBar().maximum() for s in self._scrolls if s.isVisible()),
                   default=0)
        width = max(dock.minimumSizeHint().width(), dock.width() - lack)
        if lack > 0 and width < dock.width():
            window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
