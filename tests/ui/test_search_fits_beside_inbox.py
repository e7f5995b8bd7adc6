"""The customer search results beside the supervisor's approvals dock (a 1280 px window): every
column fits the table's width, Segment and Branch included, with no horizontal scrollbar; the
columns narrow only towards what they must show whole (headers, phone numbers, the known
status and segment words), measured without reading any row. The name comes first: a
typical full name (surname and name, ~25 letters) shows whole, the least needed columns
(Disabled, then Branch) eliding their headers first (the header's tooltip reads whole). Real
desk on the embedded sandbox + Teller Hub, its demo customers."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

from teller_app.ui.customer_table_model import CustomerTableModel
from teller_app.ui.fit_columns import SpareWidthToNames, text_margin
from teller_app.ui.search_panel import configure_results_table

from .conftest import make_window
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session

stack = embedded_stack("ui-search-fits-beside-inbox")
FULL_NAME = "Грушевська Мирослава Олег"  # surname, name, a patronymic's start: 25 letters


def _shows_whole(table: QTableView, text: str) -> bool:
    return table.fontMetrics().horizontalAdvance(text) + text_margin(table) \
        <= table.columnWidth(0)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ukrainian", "english"])
def test_results_fit_beside_the_inbox_at_1280(qtbot: Any, ops: Any, arun: Any, stack: Any,
                                              request: Any, language: str) -> None:
    request.getfixturevalue(language)
    supervisor = hub_session(arun, stack, SUPERVISOR)
    window = make_window(qtbot, ops, supervisor, stack.sandbox)
    try:
        window.resize(1280, 720)
        table = window.search_panel.table
        qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=15000)
        header = table.horizontalHeader()
        window.supervision.open_inbox()
        dock = window.supervision.inbox_dock
        assert dock is not None
        # the dock takes ~45 % of the window: the table has ~700 px of its 1280
        qtbot.waitUntil(lambda: dock.isVisible() and dock.width() > 400
                        and table.viewport().width() < 800, timeout=10000)
        qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0, timeout=3000)
        assert header.length() <= table.viewport().width()
        fitter = table.findChild(SpareWidthToNames)
        assert fitter is not None
        floors = fitter.floors(range(header.count()))
        for column in range(header.count()):  # none squeezed below what it shows whole
            title = table.model().headerData(column, Qt.Orientation.Horizontal)
            assert table.columnWidth(column) >= floors[column], (title, floors)
        # the name first: every demo customer's surname and name, and a longer one, whole
        model = window.search_panel.model
        for row in range(model.rowCount()):
            customer = model.row_at(row)
            assert _shows_whole(table, f"{customer.surname} {customer.name}"), customer
        assert _shows_whole(table, FULL_NAME), table.columnWidth(0)
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(supervisor.close())


def _results(qtbot: Any, width: int) -> QTableView:
    model = QStandardItemModel(0, 8)
    model.setHorizontalHeaderLabels(["Name", "Phone", "Login", "KYC", "Segment", "Status",
                                     "Disabled", "Branch"])
    table = QTableView()
    table.setModel(model)
    configure_results_table(table)
    qtbot.addWidget(table)
    table.resize(width, 400)
    table.show()
    qtbot.waitExposed(table)
    return table


def test_narrowed_results_give_way_down_to_their_floors(qtbot: Any) -> None:
    table = _results(qtbot, 1366)
    header, name, login = table.horizontalHeader(), 0, 2
    qtbot.waitUntil(lambda: table.columnWidth(login) > 250, timeout=5000)
    wide = [table.columnWidth(c) for c in range(8)]

    table.resize(700, 400)  # beside the inbox: the others narrow first, Name and Login last
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0, timeout=5000)
    fitter = table.findChild(SpareWidthToNames)
    assert fitter is not None
    floors = fitter.floors(range(8))
    assert header.length() == table.viewport().width()
    assert all(table.columnWidth(c) >= floors[c] for c in range(8))
    assert table.columnWidth(name) > floors[name] and table.columnWidth(login) > floors[login]
    assert table.columnWidth(1) == floors[1]  # the phone's floor: a whole number

    table.resize(300, 400)  # not even the floors fit: a scrollbar, no column squeezed
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() > 0, timeout=5000)
    assert [table.columnWidth(c) for c in range(8)] == [floors[c] for c in range(8)]

    table.resize(1366, 400)  # wide again: as it was
    qtbot.waitUntil(lambda: [table.columnWidth(c) for c in range(8)] == wide, timeout=5000)


def test_a_full_name_shows_whole_in_ukrainian_beside_the_inbox(qtbot: Any, ops: Any,
                                                               ukrainian: Any) -> None:
    """The table's ~706 px beside the inbox at 1280: the name was cut to ~15 letters, the
    less needed columns (Disabled, Branch) keeping their whole headers."""
    table = QTableView()
    table.setModel(CustomerTableModel(ops, table))
    configure_results_table(table)
    qtbot.addWidget(table)
    table.resize(706, 400)
    table.show()
    qtbot.waitExposed(table)
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0, timeout=5000)
    fitter = table.findChild(SpareWidthToNames)
    assert fitter is not None
    widths = [table.columnWidth(c) for c in range(8)]
    assert _shows_whole(table, FULL_NAME), widths
    assert _shows_whole(table, "Вишневська Мирослава Олег"), widths
    # what gave way: Disabled first, then Branch, each still its floor at least
    disabled, branch = 6, 7
    floors = fitter.floors(range(8))
    whole = fitter.whole(range(8))
    assert table.columnWidth(disabled) == floors[disabled] < whole[disabled]
    assert floors[branch] <= table.columnWidth(branch) <= whole[branch]
    assert all(table.columnWidth(c) >= whole[c] for c in (1, 3, 4, 5))  # the others whole
    # cut, a header ends in "…" (its tooltip reads whole)
    assert table.horizontalHeader().textElideMode() == Qt.TextElideMode.ElideRight
    model = table.model()
    title = model.headerData(disabled, Qt.Orientation.Horizontal)
    assert title == "Вимкнений"  # the translation the widths were measured with
    assert model.headerData(disabled, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.ToolTipRole) == title  # elided, it reads whole
