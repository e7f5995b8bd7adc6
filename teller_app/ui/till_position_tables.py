"""The branch cash position's tables (``ui/till_position.py``): a cell as typed on one line,
the row a supervisor selected, that row again after a refresh, and the columns' widths."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from teller_app.ui.validators import one_line


def cell(text: str) -> QTableWidgetItem:
    # names and reasons come from the hub as typed: a line break would split the row
    return QTableWidgetItem(one_line(text))


def selected_row(table: QTableWidget) -> int:
    """The row selected in ``table``, else -1: a row the cursor merely rests on (a table
    takes its first row as current when it gets the focus) is not one the user picked."""
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else -1


def select_again(table: QTableWidget, ids: list[str], kept: str | None) -> None:
    """After a refresh: the row of the entry that was selected (``kept``), wherever it is
    now, or none: a row index may name another till once the list has changed."""
    row = ids.index(kept) if kept is not None and kept in ids else -1
    if row < 0:
        table.clearSelection()
        table.setCurrentCell(-1, -1)
    else:
        table.selectRow(row)


class TableWidths:
    """A table's columns fit its rows once, when its first rows (and their names) are in:
    later refreshes keep the widths, a supervisor's own ones too (as the history), but widen
    a column a new text would be cut in (a till's state read live: "closing, waiting for a
    co-sign") unless the supervisor sized that column."""

    def __init__(self, tables: Iterable[QTableWidget], min_width_max: int) -> None:
        self.tables = tuple(tables)
        self.min_width_max = min_width_max  # a table's own minimum never pushes past this
        self.fitted: set[QTableWidget] = set()  # fitted to their rows: widths kept now
        self.sized: dict[QTableWidget, set[int]] = {}  # columns the supervisor sized
        self._resizing = False  # a width set here, not by the supervisor
        for table in self.tables:
            table.horizontalHeader().sectionResized.connect(
                lambda column, _old, _new, sized=table: self._user_sized(sized, column))

    def _user_sized(self, table: QTableWidget, column: int) -> None:
        if not self._resizing:  # a supervisor's drag: that width is theirs from now on
            self.sized.setdefault(table, set()).add(column)

    def fit_new_rows(self) -> None:
        tables = [t for t in self.tables if t.rowCount() and t not in self.fitted]
        self._resizing = True
        try:
            for table in self.fitted:
                header = table.horizontalHeader()
                for column in range(table.columnCount() - 1):  # the last fills the table
                    wanted = max(table.sizeHintForColumn(column),
                                 header.sectionSizeHint(column))
                    if column not in self.sized.get(table, set()) and \
                            wanted > header.sectionSize(column):
                        header.resizeSection(column, wanted)
        finally:
            self._resizing = False
        self.fitted.update(tables)
        self.fit_columns(tables)

    def fit_columns(self, tables: Iterable[QTableWidget]) -> None:
        """Every column as wide as its cells and header; each table at least as wide as its
        columns, the last one's header included (the window's minimum width follows). A
        long reason, in the last column, scrolls sideways instead."""
        self._resizing = True
        try:
            for table in tables:
                header, last = table.horizontalHeader(), table.columnCount() - 1
                for column in range(last):  # sizing the last would stop it filling the table
                    table.resizeColumnToContents(column)
                needed = (sum(header.sectionSize(c) for c in range(last))
                          + header.sectionSizeHint(last)
                          + table.verticalHeader().sizeHint().width()
                          + table.verticalScrollBar().sizeHint().width()
                          + 2 * table.frameWidth())
                table.setMinimumWidth(min(needed, self.min_width_max))
        finally:
            self._resizing = False
