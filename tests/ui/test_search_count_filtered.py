"""The results' count says when filters narrow the list ("11 customers match the filters"),
and says nothing of them when none is on (a sort alone narrows nothing); a search that finds
no one with filters on says they are on."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt

from teller_app.core.views import CustomerView
from teller_app.ui.customer_table_model import COLUMNS
from teller_app.ui.search_panel import SearchPanel

from .conftest import unique

KYC = [c for c, _h in COLUMNS].index("kyc_level")
FILTERED = "match the filters"


def _summary(window: Any) -> str:
    return str(window.search_panel.summary.text())


def test_the_count_says_when_filters_are_on(qtbot: Any, main_window: Any) -> None:
    panel, bar = main_window.search_panel, main_window.desk.filter_bar
    qtbot.waitUntil(lambda: _summary(main_window).endswith("customer(s)"), timeout=10000)
    everyone = panel.model.total

    bar.kyc.setCurrentIndex(bar.kyc.findData(1))
    qtbot.waitUntil(lambda: FILTERED in _summary(main_window), timeout=10000)
    assert 0 < panel.model.total < everyone  # the sandbox has every KYC level
    assert _summary(main_window) == f"{panel.model.total} customer(s) {FILTERED}"

    bar.clear()
    qtbot.waitUntil(lambda: FILTERED not in _summary(main_window), timeout=10000)
    assert _summary(main_window) == f"{everyone} customer(s)"

    # a sort alone leaves everyone in: nothing to say
    with qtbot.waitSignal(panel.model.results_shown, timeout=10000):
        panel.table.horizontalHeader().setSortIndicator(KYC, Qt.SortOrder.DescendingOrder)
    assert bar.state().sort is not None
    assert _summary(main_window) == f"{everyone} customer(s)"


def test_no_one_found_with_filters_on_says_they_are_on(qtbot: Any, main_window: Any) -> None:
    panel, bar = main_window.search_panel, main_window.desk.filter_bar
    bar.kyc.setCurrentIndex(bar.kyc.findData(1))
    qtbot.waitUntil(lambda: FILTERED in _summary(main_window), timeout=10000)

    panel.search_box.setText(unique("Nobody"))
    qtbot.waitUntil(lambda: _summary(main_window).startswith("No customers found."),
                    timeout=10000)
    assert _summary(main_window) == "No customers found. Filters are on."

    panel.search_box.clear()
    bar.created_from.setDate(QDate(2099, 1, 1))  # created after today: no one
    qtbot.waitUntil(lambda: panel.model.total == 0 and not panel.model.query, timeout=10000)
    assert _summary(main_window) == "No customers match the filters."


class _Branches:
    """A stand-in source: two customers, or one in branch "b1"."""

    immediate = True
    label = "stub"

    def __init__(self, branch: str | None) -> None:
        self.rows = [CustomerView(wallet_user_guid=g, surname=g) for g in
                     (("c-1",) if branch == "b1" else ("c-1", "c-2"))]

    async def first_page(self, query: str, limit: int) -> tuple[list[CustomerView], int, bool]:
        return self.rows, len(self.rows), False

    async def page(self, query: str, offset: int, limit: int) -> list[CustomerView]:
        return []


def test_head_office_choosing_a_branch_is_a_filter(qtbot: Any, ops: Any) -> None:
    panel = SearchPanel(ops, _Branches)
    qtbot.addWidget(panel)
    panel.set_branches([("b1", "Київ, Хрещатик")])
    with qtbot.waitSignal(panel.results_shown, timeout=5000):
        panel.run_search()
    assert panel.summary.text() == "2 customer(s)"
    with qtbot.waitSignal(panel.results_shown, timeout=5000):
        panel.branch_filter.setCurrentIndex(1)
    assert panel.summary.text() == f"1 customer(s) {FILTERED}"


class _Down(_Branches):
    """The whole list cannot be read: a search of it fails."""

    async def first_page(self, query: str, limit: int) -> tuple[list[CustomerView], int, bool]:
        raise OSError("down")


def test_the_count_keeps_saying_what_the_rows_shown_came_from(qtbot: Any, ops: Any) -> None:
    """A filtered list stays on screen when the next, unfiltered search fails: the count (said
    again, e.g. after a language switch) still says those rows are the filtered ones."""
    panel = SearchPanel(ops, lambda branch: _Branches(branch) if branch else _Down(branch))
    qtbot.addWidget(panel)
    panel.set_branches([("b1", "Київ, Хрещатик")])
    with qtbot.waitSignal(panel.results_shown, timeout=5000):
        panel.branch_filter.setCurrentIndex(1)
    assert panel.summary.text() == f"1 customer(s) {FILTERED}"
    with qtbot.waitSignal(panel.model.search_failed, timeout=5000):
        panel.branch_filter.setCurrentIndex(0)  # the whole list: it fails
    assert panel.model.total == 1  # the filtered rows stay
    panel._update_summary()  # as a language switch says it again
    assert panel.summary.text() == f"1 customer(s) {FILTERED}"
