"""A sampled ``ColumnFitter`` (the inbox's thousands of rows) measures the rows a scroll
brings into view: a long unbreakable token far down the list (a big amount, its groups held
together by non-breaking spaces) widens its column when it is seen, and scrolling away never
narrows a column under the reader's eyes."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView

from teller_app.ui.fit_columns import ColumnFitter, text_margin, widest_unbreakable

ROWS = 2000
FAR = 1500
TOKEN = "1\u00a0500\u00a0000\u00a0000,00\u00a0₴"  # one word to word wrap


def _table(qtbot: Any) -> tuple[QTableView, ColumnFitter]:
    model = QStandardItemModel(ROWS, 3)
    model.setHorizontalHeaderLabels(["Customer", "Amount", "Note"])
    for row in range(ROWS):
        texts = ("Петренко Іван", TOKEN if row == FAR else "15,00 ₴", "a short note")
        for column, text in enumerate(texts):
            model.setItem(row, column, QStandardItem(text))
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    fitter = ColumnFitter(table, grow=(0,), sample=50, row_lines=2)
    table.resize(420, 300)
    table.show()
    qtbot.waitExposed(table)
    qtbot.waitUntil(lambda: not fitter._timer.isActive(), timeout=5000)
    return table, fitter


def test_a_wide_token_scrolled_into_view_widens_its_column(qtbot) -> None:  # type: ignore[no-untyped-def]
    table, fitter = _table(qtbot)
    needed = widest_unbreakable(table.fontMetrics(), TOKEN) + text_margin(table)
    assert table.columnWidth(1) < needed  # not measured yet: row 1500 was never in view
    widths = [table.columnWidth(c) for c in range(3)]

    table.scrollTo(table.model().index(FAR, 1), QAbstractItemView.ScrollHint.PositionAtCenter)
    qtbot.waitUntil(lambda: table.columnWidth(1) >= needed, timeout=5000)
    qtbot.waitUntil(lambda: not fitter._timer.isActive(), timeout=5000)
    assert all(table.columnWidth(c) >= widths[c] for c in range(3))  # nothing narrowed
    wide = [table.columnWidth(c) for c in range(3)]

    fits: list[int] = []
    fit = fitter.fit
    fitter._timer.timeout.disconnect(fit)
    fitter._timer.timeout.connect(lambda: (fits.append(1), fit()))
    table.scrollToTop()  # the wide row leaves the view: its column stays as wide
    qtbot.waitUntil(lambda: bool(fits) and not fitter._timer.isActive(), timeout=5000)
    assert [table.columnWidth(c) for c in range(3)] == wide
