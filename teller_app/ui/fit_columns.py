"""Column widths for a small table in a narrow place (the supervisor's inbox dock).

Qt's Stretch/ResizeToContents mix gives the stretched column whatever is left, down to a few
pixels: a customer's name then wraps into elided fragments ("Ше… Квіт…"). Here every column
first gets the least width its text needs when wrapped at every break opportunity (its
longest word, so no word is cut) or, for a column kept on one line (an amount), its whole
text; what is left goes to the columns still short of their one-line width, then to the
growing columns. Only when even the least widths do not fit do the ``give_way`` columns
shrink (their text elides; the cell keeps a tooltip) before a horizontal scrollbar appears.

For small models only (every row is measured): never for the search results."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

UNBOUNDED = 1_000_000
GIVE_WAY_FLOOR = 48  # a yielding column still shows a few letters and its tooltip
SLACK = 4  # rounding in the style's text margins


def widest_unbreakable(metrics: QFontMetrics, text: str) -> int:
    """The widest piece of ``text`` that word wrap cannot break (a word, a hyphen's half)."""
    if not text:
        return 0
    wrapped = metrics.boundingRect(QRect(0, 0, 1, UNBOUNDED), Qt.TextFlag.TextWordWrap, text)
    return wrapped.width()


class ColumnFitter(QObject):
    """Keeps ``table``'s visible columns fitted to its viewport (see the module's words)."""

    def __init__(self, table: QTableView, *, whole: Iterable[int] = (),
                 grow: Iterable[int] = (), give_way: Iterable[int] = ()) -> None:
        super().__init__(table)
        self.table = table
        self.whole = frozenset(whole)  # kept on one line (amounts, dates)
        self.grow = tuple(grow)  # take the spare width, in this order of preference
        self.give_way = tuple(give_way)  # shrink first when nothing else helps
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        table.setWordWrap(True)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        table.viewport().installEventFilter(self)
        model = table.model()
        for changed in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                        model.dataChanged, model.layoutChanged, model.headerDataChanged):
            changed.connect(self.schedule)

    def schedule(self, *_args: object) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QResizeEvent):
            if event.size().width() != event.oldSize().width():  # taller: nothing to fit
                self.schedule()
        elif event.type() == QEvent.Type.FontChange:
            self.schedule()
        return super().eventFilter(watched, event)

    def _needs(self, column: int) -> tuple[int, int]:
        """(least, one-line) width of a column: its header's and every cell's text."""
        table, model = self.table, self.table.model()
        metrics = table.fontMetrics()
        style = table.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
                      + 1) + SLACK
        header = table.horizontalHeader().sectionSizeHint(column)
        full = max(header, table.sizeHintForColumn(column))
        if column in self.whole:
            return full, full
        least = header
        for row in range(model.rowCount()):
            text = str(model.index(row, column).data() or "")
            least = max(least, widest_unbreakable(metrics, text) + margin)
        return min(least, full), full

    def widths(self, room: int) -> dict[int, int]:
        """Each visible column's width in ``room`` pixels."""
        header = self.table.horizontalHeader()
        columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        needs = {c: self._needs(c) for c in columns}
        widths = {c: least for c, (least, _full) in needs.items()}
        spare = room - sum(widths.values())
        if spare < 0:  # the yielding columns shrink, down to a floor
            for column in self.give_way:
                if column in widths and spare < 0:
                    give = min(-spare, max(0, widths[column] - GIVE_WAY_FLOOR))
                    widths[column] -= give
                    spare += give
            return widths
        short = {c: full - widths[c] for c, (_least, full) in needs.items() if full > widths[c]}
        wanted = sum(short.values())
        if wanted:
            share = min(spare, wanted)
            for column, gap in short.items():
                widths[column] += share * gap // wanted
            spare = room - sum(widths.values())
        growing = [c for c in self.grow if c in widths] or columns[-1:]
        for n, column in enumerate(growing):  # what is left: the growing columns, evenly
            part = spare // (len(growing) - n)
            widths[column] += part
            spare -= part
        return widths

    def fit(self) -> None:
        table = self.table
        for column, width in self.widths(table.viewport().width()).items():
            if table.columnWidth(column) != width:
                table.setColumnWidth(column, width)
        table.resizeRowsToContents()
        # a short dock still shows the first row whole (a wrapped name is several lines)
        first = table.rowHeight(0) if table.model().rowCount() else 0
        table.setMinimumHeight(table.horizontalHeader().height() + first
                               + 2 * table.frameWidth()
                               + table.horizontalScrollBar().sizeHint().height())
