"""The branch cash position's tables (``ui/till_position.py``): a cell as typed on one line,
the row a supervisor selected, and that row again after a refresh."""

from __future__ import annotations

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
