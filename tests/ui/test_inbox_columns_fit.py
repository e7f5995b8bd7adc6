"""The supervisor's inbox in a narrow dock (1280 px in Ukrainian leaves it ~390 px): every
word of a customer's name, the change and the maker is shown whole (wrapped, never cut into
"Ше… Квіт…"), the cash drafts' amount is whole and visible without scrolling, and neither
table shows row numbers. And the search results give their spare width to Name and Login,
not to the last column (Branch)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

from teller_app.core.cash_drafts import InboxDraft
from teller_app.core.cash_types import CashKind
from teller_app.ui.cash_drafts_panel import CashDraftsPanel
from teller_app.ui.fit_columns import widest_unbreakable
from teller_app.ui.search_panel import configure_results_table

from .test_approvals_inbox import FakeService, _inbox, _request

LONG_NAME = "Шевченко-Квітка Олександра Володимирівна"
DOCK_WIDTH = 392  # the inbox dock at 1280x720 in Ukrainian (the search's filters take more)


def _visible(table: QTableView) -> list[int]:
    header = table.horizontalHeader()
    return [c for c in range(header.count()) if not header.isSectionHidden(c)]


def _words_whole(table: QTableView) -> None:
    """No cell's word (or the header) is wider than its column: nothing is elided."""
    metrics, model = table.fontMetrics(), table.model()
    for column in _visible(table):
        for row in range(model.rowCount()):
            text = str(model.index(row, column).data() or "")
            assert table.columnWidth(column) >= widest_unbreakable(metrics, text), (column, text)


def _fits(table: QTableView) -> bool:
    return sum(table.columnWidth(c) for c in _visible(table)) <= table.viewport().width()


def test_a_long_name_is_readable_in_a_narrow_inbox(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    async def names(guids: list[str]) -> dict[str, str]:
        return dict.fromkeys(guids, LONG_NAME)

    request = _request({"segment": "vip", "is_disabled": True})
    inbox = _inbox(qtbot, ops, FakeService([request]), customers=names)
    inbox.resize(DOCK_WIDTH, 600)
    inbox.show()
    inbox.start()
    table, model = inbox.table, inbox.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and LONG_NAME in str(
        model.data(model.index(0, model.CUSTOMER_COLUMN))), timeout=5000)
    qtbot.waitUntil(lambda: _fits(table), timeout=5000)  # no horizontal scrolling
    _words_whole(table)
    assert table.columnWidth(model.CUSTOMER_COLUMN) >= table.horizontalHeader().sectionSizeHint(
        model.CUSTOMER_COLUMN)  # its header too ("ustome" before)
    assert table.verticalHeader().isHidden()


def _draft() -> InboxDraft:
    return InboxDraft(payment_guid="731a06a2-e26c-47a7-a7ca-cfca83cf9661", kind=CashKind.DEPOSIT,
                      amount=Decimal("1234567.89"), asset_code="UAH",
                      created_at=datetime(2026, 12, 6, 6, 53, tzinfo=UTC),
                      customer_guid="c94eb2af-0000-4000-8000-000000000001",
                      customer_name=LONG_NAME, teller_email="teller.kyiv@demo.bank",
                      teller_name="Мельник Оксана", reasons=("over_teller_limit",))


async def _none(_keys: list[str]) -> dict[str, str]:
    return {}


def test_the_amount_is_seen_without_scrolling(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    panel = CashDraftsPanel(ops, lambda: None, _none, _none)
    qtbot.addWidget(panel)
    panel.resize(DOCK_WIDTH - 20, 300)
    panel.show()
    panel.show_drafts([_draft()])
    table = panel.table
    amount = panel.AMOUNT
    def amount_seen() -> bool:  # whole, on one line, inside the viewport, not scrolled
        return table.columnWidth(amount) >= table.sizeHintForColumn(amount) and \
            table.columnViewportPosition(amount) + table.columnWidth(amount) <= \
            table.viewport().width()

    qtbot.waitUntil(amount_seen, timeout=5000)
    assert table.horizontalScrollBar().value() == 0
    metrics = table.fontMetrics()
    assert table.columnWidth(panel.CUSTOMER) >= widest_unbreakable(metrics, LONG_NAME)
    assert table.verticalHeader().isHidden()  # as the requests' table: no row numbers
    assert table.rowHeight(0) + table.horizontalHeader().height() <= table.height()


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


def test_spare_width_goes_to_name_and_login(qtbot) -> None:  # type: ignore[no-untyped-def]
    table = _results(qtbot, 1366)
    name, login, branch = 0, 2, 7
    qtbot.waitUntil(lambda: table.columnWidth(login) > 250, timeout=5000)
    assert table.columnWidth(name) > 260
    assert table.columnWidth(branch) < 200  # not ~420 px of empty space
    room = table.viewport().width()
    assert sum(table.columnWidth(c) for c in range(8)) <= room  # no horizontal scrolling

    table.horizontalHeader().resizeSection(branch, 300)  # the employee widens Branch
    table.resize(1300, 400)
    qtbot.waitUntil(lambda: table.viewport().width() < room, timeout=5000)
    assert table.columnWidth(branch) == 300  # kept


def test_saved_widths_come_back_and_an_old_stretch_does_not(qtbot) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.fit_columns import SpareWidthToNames

    login, branch = 2, 7
    before = _results(qtbot, 1366)
    qtbot.waitUntil(lambda: before.columnWidth(login) > 250, timeout=5000)
    before.horizontalHeader().resizeSection(login, 420)  # the employee's choice
    before.horizontalHeader().setStretchLastSection(True)  # as saved before this release
    saved = before.horizontalHeader().saveState()

    table = _results(qtbot, 1366)
    fitter = table.findChild(SpareWidthToNames)
    assert fitter is not None
    fitter.restore(saved)
    assert not table.horizontalHeader().stretchLastSection()
    assert table.columnWidth(login) == 420  # kept, though the viewport is fitted again
    table.resize(1300, 400)
    qtbot.waitUntil(lambda: table.viewport().width() < 1300, timeout=5000)
    assert table.columnWidth(login) == 420
    assert table.columnWidth(branch) < 200  # the old stretch is not a choice: fitted
