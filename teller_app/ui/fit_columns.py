"""Column widths: for a small table in a narrow place (the supervisor's inbox dock,
``ColumnFitter``), and for the search results (``SpareWidthToNames``, from the headers only).

Qt's Stretch/ResizeToContents mix gives the stretched column whatever is left, down to a few
pixels: a customer's name then wraps into elided fragments ("Ше… Квіт…"). Here every column
first gets the least width its text needs when wrapped at every break opportunity (its
longest word, so no word is cut) or, for a column kept on one line (an amount), its whole
text; what is left goes to the columns still short of their one-line width, then to the
growing columns. Only when even the least widths do not fit do the ``give_way`` columns
shrink (their text elides; the cell keeps a tooltip) before a horizontal scrollbar appears.

``ColumnFitter`` is for small models only (every row is measured): never the search results."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView
from shiboken6 import isValid

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


class SpareWidthToNames(QObject):
    """The results' column widths: each column's base width (never narrower than its
    translated header), and the width the viewport has beyond them goes to Name and Login
    (long e-mail logins), not to the last column. Sized from the header alone: no row is
    measured, however many there are. A column the employee dragged keeps its width."""

    BASE = (260, 140, 200, 50, 110, 90, 80, 150)  # Name, Phone, Login, … Disabled, Branch
    SPARE = ((0, 2), (2, 3))  # (column, share): Name 2/5, Login 3/5

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.dragged: set[int] = set()
        self._fitting = False
        header = table.horizontalHeader()
        header.sectionResized.connect(self._resized)
        header.geometriesChanged.connect(self.fit)  # columns appear
        model = table.model()
        if model is not None:  # a language switch: the headers' widths change
            model.headerDataChanged.connect(lambda *_: self.fit())
        table.viewport().installEventFilter(self)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return super().eventFilter(watched, event)

    def restore(self, state: QByteArray) -> None:
        """The widths saved with the window (``ui/desk``): a column whose saved width differs
        from the fitted one was dragged, and keeps it; a stretched last column (saved before
        it stopped stretching) is no one's choice and is fitted again."""
        header = self.table.horizontalHeader()
        fitted = [header.sectionSize(c) for c in range(header.count())]
        self._fitting = True
        try:
            header.restoreState(state)
        finally:
            self._fitting = False
        stretched = header.logicalIndex(header.count() - 1) if header.stretchLastSection() \
            else None
        header.setStretchLastSection(False)
        self.dragged |= {c for c, width in enumerate(fitted)
                         if c < header.count() and c != stretched
                         and header.sectionSize(c) != width}
        self.fit()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self.dragged.add(column)  # the employee's choice: left alone from now on

    def fit(self) -> None:
        if not isValid(self.table):  # its header's last signals while it is destroyed
            return
        table, header = self.table, self.table.horizontalHeader()
        count = header.count()
        if not count or self._fitting:
            return
        base = {c: max(self.BASE[c] if c < len(self.BASE) else 100, header.sectionSizeHint(c))
                for c in range(count) if not header.isSectionHidden(c)}
        for column in self.dragged & base.keys():
            base[column] = header.sectionSize(column)
        spare = max(0, table.viewport().width() - sum(base.values()))
        sharing = [(c, share) for c, share in self.SPARE if c in base and c not in self.dragged]
        shares = sum(share for _c, share in sharing) or 1
        for column, share in sharing:
            base[column] += spare * share // shares
        self._fitting = True
        try:
            for column, width in base.items():
                if column not in self.dragged and header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False
