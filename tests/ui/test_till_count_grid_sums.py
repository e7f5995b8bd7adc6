"""The till count grid: each row's sum stands right-aligned in a column of its own under
"Sum", clear of the coins' denominations beside it, and the grid (the open and close dialogs
around it) keeps its width as sums appear (it grew 465 → 515 → 608 px in Ukrainian)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel

from teller_app.ui.till_dialog import CountGrid, TillOpenDialog


def _widths(widget: Any, grid: CountGrid) -> list[tuple[int, int]]:
    """The window's width and its size hint's, after each count (its layout settled)."""
    QApplication.processEvents()  # the layout requests the labels posted: not a wait
    widths = [(widget.width(), widget.sizeHint().width())]
    for key, pieces in (("note_100", 3), ("coin_1", 300), ("note_1000", 2000),
                        ("note_500", 1999), ("coin_0.10", 9)):
        grid.spins[key].setValue(pieces)
        QApplication.processEvents()
        widths.append((widget.width(), widget.sizeHint().width()))
    return widths


def _left(widget: Any) -> int:
    return widget.mapTo(widget.window(), QPoint(0, 0)).x()


def test_the_grid_keeps_its_width_as_sums_appear(qtbot: Any, ops: Any, ukrainian: Any) -> None:
    dialog = TillOpenDialog(ops, None)  # type: ignore[arg-type]  # nothing is sent
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    widths = _widths(dialog, dialog.grid)
    assert len(set(widths)) == 1, widths


def test_each_sum_stands_right_aligned_under_its_header(qtbot: Any, english: Any) -> None:
    grid = CountGrid()
    qtbot.addWidget(grid)
    grid.show()
    qtbot.waitExposed(grid)
    grid.spins["note_100"].setValue(3)
    grid.spins["coin_1"].setValue(300)
    qtbot.waitUntil(lambda: grid.sums["note_100"].width() > 0)
    headers = [w for w in grid.findChildren(QLabel) if w.text() == "Sum"]
    assert len(headers) == 2  # over the notes' sums and over the coins'
    coin_label = next(w for w in grid.findChildren(QLabel) if w.text() == "10 UAH coin")
    for key, header in (("note_100", min(headers, key=_left)),
                        ("coin_1", max(headers, key=_left))):
        total = grid.sums[key]
        assert total.alignment() & Qt.AlignmentFlag.AlignRight
        assert total.text() == "300.00\u00a0UAH"
        # the sum ends where its header does: one column, right-aligned
        assert abs((_left(total) + total.width()) - (_left(header) + header.width())) <= 1
    # a gap between a note's sum and the coins' denominations beside it
    note_sum = grid.sums["note_100"]
    assert _left(coin_label) - (_left(note_sum) + note_sum.width()) >= 12
