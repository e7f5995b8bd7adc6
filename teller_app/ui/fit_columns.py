"""Column widths: for a small table in a narrow place (the supervisor's inbox dock,
``ColumnFitter``), and for the search results (``SpareWidthToNames``, from the headers only).

Qt's Stretch/ResizeToContents mix gives the stretched column whatever is left, down to a few
pixels: a customer's name then wraps into elided fragments ("Ше… Квіт…"). Here every column
first gets the least width its text needs when wrapped at every break opportunity (its
longest word, so no word is cut) or, for a column kept on one line (an amount), its whole
text; what is left goes to the columns still short of their one-line width, then to the
growing columns. Only when even the least widths do not fit do the ``give_way`` columns
shrink (their text elides; the cell keeps a tooltip) before a horizontal scrollbar appears.

``ColumnFitter`` measures every row by default: for small models only, never the search
results. With ``sample`` it reads the headers, the first ``sample`` rows and those in view
(a list of thousands costs what a short one does; a scroll measures the rows it brings into
view, and then a column only widens, never narrows), and with ``row_lines`` every row is that
many lines high (no row is measured: the whole text is the tooltip's or a detail pane's).
``SpareWidthToNames`` narrows its columns only towards floors known without any row: a few
letters of a name, a whole phone number, the widest of the known status/segment words. The
name comes first: beside the inbox dock (a 1280 px window in Ukrainian leaves the table
~700 px) the least needed columns (Disabled: a disabled customer's row is in the error
colour; then Branch) elide before a typical full name (``NAME_SAMPLE``) is cut."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView
from shiboken6 import isValid

from teller_app.ui.data_text import SEGMENT_WORDS, STATUSES, segment_text, status_text

UNBOUNDED = 1_000_000
GIVE_WAY_FLOOR = 48  # a yielding column still shows a few letters and its tooltip
SLACK = 4  # rounding in the style's text margins


def text_margin(table: QTableView) -> int:
    """The room a cell takes beside its text (the style's margins, both sides)."""
    style = table.style()
    return 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
                + 1) + SLACK


def widest_unbreakable(metrics: QFontMetrics, text: str) -> int:
    """The widest piece of ``text`` that word wrap cannot break (a word, a hyphen's half)."""
    if not text:
        return 0
    wrapped = metrics.boundingRect(QRect(0, 0, 1, UNBOUNDED), Qt.TextFlag.TextWordWrap, text)
    return wrapped.width()


class ColumnFitter(QObject):
    """Keeps ``table``'s visible columns fitted to its viewport (see the module's words)."""

    def __init__(self, table: QTableView, *, whole: Iterable[int] = (),
                 grow: Iterable[int] = (), give_way: Iterable[int] = (),
                 sample: int | None = None, row_lines: int | None = None) -> None:
        super().__init__(table)
        self.table = table
        self.whole = frozenset(whole)  # kept on one line (amounts, dates)
        self.grow = tuple(grow)  # take the spare width, in this order of preference
        self.give_way = tuple(give_way)  # shrink first when nothing else helps
        self.sample = sample  # None: every row measured; else the first rows and those seen
        self.row_lines = row_lines  # None: rows as tall as their text; else this many lines
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        table.setWordWrap(True)
        table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if row_lines is None
            else QHeaderView.ResizeMode.Fixed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        table.viewport().installEventFilter(self)
        model = table.model()
        for changed in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                        model.dataChanged, model.layoutChanged, model.headerDataChanged):
            changed.connect(self.schedule)
        # sampled: rows scrolled into view are measured too (a long amount far down), and
        # such a fit only widens a column, never narrows one under the reader's eyes
        self._grow_only = False  # the fit now scheduled came from a scroll alone
        if sample is not None:
            table.verticalScrollBar().valueChanged.connect(self._scrolled)

    def schedule(self, *_args: object) -> None:
        self._grow_only = False  # a model change, resize or font: a whole fit again
        self._timer.start()

    def _scrolled(self, *_args: object) -> None:
        if not self._timer.isActive():  # a whole fit already waiting stays whole
            self._grow_only = True
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QResizeEvent):
            if event.size().width() != event.oldSize().width():  # taller: nothing to fit
                self.schedule()
        elif event.type() == QEvent.Type.FontChange:
            self.schedule()
        return super().eventFilter(watched, event)

    def measured_rows(self) -> Iterable[int]:
        """The rows a fit reads: all of them, or (``sample``) the first ones and those in
        view, however many the model has."""
        count = self.table.model().rowCount()
        if self.sample is None:
            return range(count)
        top = max(0, self.table.rowAt(0))
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        bottom = min(count - 1, top + self.sample) if bottom < 0 else bottom
        return sorted({*range(min(count, self.sample)), *range(top, bottom + 1)})

    def _needs(self, column: int) -> tuple[int, int]:
        """(least, one-line) width of a column: its header's and its (measured) cells' text."""
        table, model = self.table, self.table.model()
        metrics = table.fontMetrics()
        margin = text_margin(table)
        header = table.horizontalHeader().sectionSizeHint(column)
        if self.sample is None:
            full = max(header, table.sizeHintForColumn(column))
            if column in self.whole:
                return full, full
        texts = [str(model.index(row, column).data() or "") for row in self.measured_rows()]
        if self.sample is not None:  # Qt's own hint would read up to 1000 rows
            unbounded = QRect(0, 0, UNBOUNDED, UNBOUNDED)
            full = max([header, *(metrics.boundingRect(unbounded, 0, text).width() + margin
                                  for text in texts if text)])
        if column in self.whole:
            return full, full
        least = max([header, *(widest_unbreakable(metrics, text) + margin for text in texts)])
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
        table, grow_only = self.table, self._grow_only
        self._grow_only = False
        for column, width in self.widths(table.viewport().width()).items():
            if grow_only:  # a scroll: a wider token seen now widens; nothing narrows
                width = max(width, table.columnWidth(column))
            if table.columnWidth(column) != width:
                table.setColumnWidth(column, width)
        if self.row_lines is None:
            table.resizeRowsToContents()
        else:  # one height for every row: nothing is measured row by row
            rows = table.verticalHeader()
            height = self.row_lines * table.fontMetrics().lineSpacing() + 2 * (
                table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameVMargin, None,
                                          table) + 1)
            rows.setMinimumSectionSize(min(rows.minimumSectionSize(), height))
            if rows.defaultSectionSize() != height:
                rows.setDefaultSectionSize(height)
        # a short dock still shows the first row whole (a wrapped name is several lines)
        first = table.rowHeight(0) if table.model().rowCount() else 0
        table.setMinimumHeight(table.horizontalHeader().height() + first
                               + 2 * table.frameWidth()
                               + table.horizontalScrollBar().sizeHint().height())


class SpareWidthToNames(QObject):
    """The results' column widths: each column's base width (never narrower than its
    translated header), and the width the viewport has beyond them goes to Name and Login
    (long e-mail logins), not to the last column. A narrower viewport (the inbox docked
    beside) takes width back, down to each column's ``floors``, before it scrolls. Sized from
    the header and known values alone: no row is measured, however many there are. A column
    the employee dragged keeps its width."""

    BASE = (260, 140, 200, 50, 110, 90, 80, 150)  # Name, Phone, Login, … Disabled, Branch
    SPARE = ((0, 2), (2, 3))  # (column, share): Name 2/5, Login 3/5
    # A narrow window (the supervisor's inbox docked beside): down to this many average
    # letters for the free texts (they elide), the widest known value for the others.
    FLOOR_LETTERS = (14, 0, 10, 0, 0, 0, 0, 10)
    PHONE = "+380000000000"  # as wide as a Ukrainian number (digits share one width)
    NAME = 0
    # A typical full name's 25 letters (surname, name, a patronymic's start), wide ones
    # among them: shown whole while the GIVE_WAY columns can still narrow (the name is what
    # the teller reads a row by).
    NAME_SAMPLE = "Шевченко Мирослава Михайл"
    # The least needed columns, least first: below their header's width (it elides, its
    # tooltip reads whole) down to GIVE_WAY_FLOOR before the name is cut.
    GIVE_WAY = (6, 7)  # Disabled, Branch

    def known_values(self, column: int) -> list[str]:
        """The texts ``column`` shows whole however narrow the table: its known values."""
        if column == 1:
            return [self.PHONE]
        if column == 4:
            return [segment_text(value) for value in SEGMENT_WORDS]
        if column == 5:
            return [status_text(value) for value in STATUSES]
        if column == 6:
            return [QCoreApplication.translate("CustomerTableModel", "disabled")]
        return []

    def floors(self, columns: Iterable[int]) -> dict[int, int]:
        """The least width of each column: its header's text and known values, whole
        (``whole``); a ``GIVE_WAY`` column's a few letters (``GIVE_WAY_FLOOR``)."""
        whole = self.whole(columns)
        return {c: min(w, GIVE_WAY_FLOOR) if c in self.GIVE_WAY else w
                for c, w in whole.items()}

    def name_width(self) -> int:
        """The width that shows ``NAME_SAMPLE`` whole."""
        table = self.table
        return table.fontMetrics().horizontalAdvance(self.NAME_SAMPLE) + text_margin(table)

    def whole(self, columns: Iterable[int]) -> dict[int, int]:
        """Each column's header text and known values, whole."""
        table, header = self.table, self.table.horizontalHeader()
        metrics, margin = table.fontMetrics(), text_margin(table)
        bold = header.font()
        bold.setBold(True)  # a header reads bold while its column holds the selection
        heading = QFontMetrics(bold)
        letters = metrics.averageCharWidth()
        out: dict[int, int] = {}
        for column in columns:
            title = str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
            texts = [metrics.horizontalAdvance(t) for t in self.known_values(column)]
            chars = self.FLOOR_LETTERS[column] if column < len(self.FLOOR_LETTERS) else 0
            out[column] = max([heading.horizontalAdvance(title), chars * letters, *texts]) \
                + margin
        return out

    def shrink(self, base: dict[int, int], floors: dict[int, int], room: int) -> None:
        """Narrows the fitted columns to ``room``, none below its floor, each in proportion to
        what it can give, in stages: the others down to their whole texts; Login to its
        floor and Name to a whole typical name (they took the spare width: they give it back
        next); the ``GIVE_WAY`` columns, one by one, to theirs; Name to its own; a scrollbar
        only if even the floors do not fit."""
        movable = [c for c in base if c not in self.dragged]
        last = [c for c, _share in self.SPARE]
        whole = self.whole(base)
        named = {**floors, self.NAME: max(floors.get(self.NAME, 0), self.name_width())}
        stages = [([c for c in movable if c not in last], whole), (last, named),
                  *(([c], floors) for c in self.GIVE_WAY), ([self.NAME], floors)]
        for group, least in stages:
            excess = sum(base.values()) - room
            slack = {c: max(0, base[c] - least[c]) for c in group if c in movable}
            total = sum(slack.values())
            if excess <= 0 or not total:
                continue
            take = min(excess, total)
            given = {c: take * give // total for c, give in slack.items()}
            short = take - sum(given.values())  # rounding: a pixel more from those that can
            for column in slack:
                extra = min(short, slack[column] - given[column])
                given[column] += extra
                short -= extra
            for column, give in given.items():
                base[column] -= give

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
        shown = [c for c in range(count) if not header.isSectionHidden(c)]
        floors = self.floors(shown)
        whole = self.whole(shown)
        base = {c: max(self.BASE[c] if c < len(self.BASE) else 100, header.sectionSizeHint(c),
                       whole[c]) for c in shown}
        for column in self.dragged & base.keys():
            base[column] = header.sectionSize(column)
        room = table.viewport().width()
        self.shrink(base, floors, room)
        spare = max(0, room - sum(base.values()))
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
