"""Every text column of the search table sorts in the names' Ukrainian alphabetical order (the
cache's key: ґ after г, є after е, і ї after и), not Python's string order, where є, і, ї and
ґ come after я ("Їжакевицьке" was listed after "Чернігівське" in Branch); each row keyed once
across pages, as the names are."""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtCore import Qt

from teller_app.cache.rows import CustomerRow
from teller_app.ui import customer_table_model
from teller_app.ui.customer_table_model import COLUMNS, CustomerTableModel

from .paged_source import PagedSource

BRANCHES = ["Андріївське", "Гнатівське", "Ґалаганівське", "Еврейське", "Євминське",
            "Иржавецьке", "Іванківське", "Їжакевицьке", "Чернігівське", "Яготинське"]
BRANCH = [attribute for attribute, _header in COLUMNS].index("branch_name")




def _sorted_by_branch(qtbot: Any, ops: Any, rows: list[CustomerRow],
                      order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> list[str]:
    model = CustomerTableModel(ops)
    model.sort(BRANCH, order)
    with qtbot.waitSignal(model.results_shown, timeout=5000):
        model.search(PagedSource(rows), "x")
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model._fetching, timeout=5000)
    assert model.rowCount() == len(rows)
    return [model.index(i, BRANCH).data() for i in range(model.rowCount())]


def test_branch_sorts_in_ukrainian_order(qtbot: Any, ops: Any) -> None:
    two = [CustomerRow(wallet_user_guid=f"g{n}", surname="Бондар", branch_name=branch)
           for n, branch in enumerate(["Чернігівське", "Їжакевицьке"])]
    assert _sorted_by_branch(qtbot, ops, two) == ["Їжакевицьке", "Чернігівське"]
    rows = [CustomerRow(wallet_user_guid=f"h{n}", surname="Бондар", branch_name=branch)
            for n, branch in enumerate(random.sample(BRANCHES, len(BRANCHES)))]
    assert _sorted_by_branch(qtbot, ops, rows) == BRANCHES
    assert _sorted_by_branch(qtbot, ops, rows, Qt.SortOrder.DescendingOrder) == BRANCHES[::-1]


def test_a_text_column_keys_each_row_once(qtbot: Any, ops: Any, monkeypatch: Any) -> None:
    rows = [CustomerRow(wallet_user_guid=f"g{n}", surname="Бондар",
                        branch_name=random.choice(BRANCHES)) for n in range(450)]
    keyed: list[str] = []
    real = customer_table_model.sort_key

    def counted(*parts: str) -> str:
        keyed.append(parts[0])
        return real(*parts)

    monkeypatch.setattr(customer_table_model, "sort_key", counted)
    shown = _sorted_by_branch(qtbot, ops, rows)
    assert shown == sorted(shown, key=BRANCHES.index)
    assert len(keyed) == len(rows)  # each row once, across the pages
