"""The results table over a real branch cache: rows first, the exact count after them
("50+" -> "130"), the selection kept when the count lands, stale counts dropped."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from teller_app.cache import BranchCache
from teller_app.cache.rows import CustomerRow
from teller_app.core.cache_worker import CacheWorker
from teller_app.ui.customer_table_model import FIRST_PAGE, display_texts
from teller_app.ui.search_panel import SearchPanel
from teller_app.ui.search_sources import CacheSearchSource
from teller_app.ui.validators import FSI, PDI

MANY = 130  # more than one first page


def _customer(i: int, surname: str) -> dict[str, Any]:
    return {"wallet_user_guid": f"{i:08x}-0000-4000-8000-000000000000", "login": f"u{i}",
            "name": "Іван", "surname": surname, "paternal_name": "Петрович",
            "phone_number": f"+38067{i:07d}", "kyc_level": 1, "status": "active",
            "segment": "retail", "branch_guid": "b-1", "is_disabled": i == 3,
            "created_at": "2024-01-01T00:00:00.000000Z",
            "updated_at": f"2024-01-01T00:00:00.{i:06d}Z"}


class GatedSource(CacheSearchSource):
    """The real cache source whose count waits until the test opens the gate."""

    def __init__(self, worker: CacheWorker) -> None:
        super().__init__(worker)
        self.gate = asyncio.Event()

    async def count(self, query: str) -> tuple[int, bool]:
        await self.gate.wait()
        return await super().count(query)


@pytest.fixture()
def worker(tmp_path, arun):  # type: ignore[no-untyped-def]
    path = tmp_path / "branch.db"
    cache = BranchCache.open(path, None)
    cache.upsert_customers([_customer(i, "Коваленко") for i in range(MANY)]
                           + [_customer(MANY + i, "Шевчук") for i in range(5)])
    cache.close()
    w = CacheWorker()
    arun(w.open(path, None))
    yield w
    arun(w.close())


def _panel(qtbot, ops, source) -> SearchPanel:  # type: ignore[no-untyped-def]
    panel = SearchPanel(ops, lambda _branch: source)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    return panel


def test_rows_first_then_the_exact_count_and_the_selection_stays(
        qtbot, ops, worker) -> None:  # type: ignore[no-untyped-def]
    source = GatedSource(worker)
    panel = _panel(qtbot, ops, source)
    model = panel.model
    panel.search_box.setText("Коваленко")
    qtbot.waitUntil(lambda: model.query == "Коваленко" and model.rowCount() > 0, timeout=5000)
    # The rows are there before any count: "50+".
    assert model.rowCount() == FIRST_PAGE
    assert (model.total, model.capped) == (FIRST_PAGE, True)
    assert f"{FIRST_PAGE}+" in panel.summary.text()
    panel.table.selectRow(7)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    source.gate.set()
    qtbot.waitUntil(lambda: not model.capped, timeout=5000)
    assert model.total == MANY and str(MANY) in panel.summary.text()
    assert "+" not in panel.summary.text()
    # The count changed the summary only: same rows, same selection, no reset.
    assert not resets and model.rowCount() == FIRST_PAGE
    assert panel.table.currentIndex().row() == 7
    assert panel.table.selectionModel().isRowSelected(7)


def test_a_count_for_an_older_query_is_dropped(qtbot, ops, worker) -> None:  # type: ignore[no-untyped-def]
    source = GatedSource(worker)
    panel = _panel(qtbot, ops, source)
    model = panel.model
    panel.search_box.setText("Коваленко")
    qtbot.waitUntil(lambda: model.query == "Коваленко" and model.capped, timeout=5000)
    panel.search_box.setText("Шевчук")  # a short list: counted with its rows
    qtbot.waitUntil(lambda: model.query == "Шевчук", timeout=5000)
    assert (model.total, model.capped) == (5, False)
    source.gate.set()  # the old count may still land: it must not change anything
    qtbot.waitUntil(lambda: not ops.is_busy("search-count"), timeout=5000)
    assert (model.total, model.capped, model.rowCount()) == (5, False, 5)


def test_all_rows_load_on_demand_after_a_lazy_count(qtbot, ops, worker) -> None:  # type: ignore[no-untyped-def]
    source = GatedSource(worker)
    source.gate.set()
    panel = _panel(qtbot, ops, source)
    model = panel.model
    panel.search_box.setText("Коваленко")
    qtbot.waitUntil(lambda: model.query == "Коваленко" and not model.capped, timeout=5000)
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not ops.is_busy("search-page"), timeout=5000)
    assert model.rowCount() == MANY == model.total


def test_display_texts_isolate_only_names_that_can_turn_direction() -> None:
    latin = CustomerRow("g1", surname="Petrenko", name="Ivan")
    arabic = CustomerRow("g2", surname="Petrenko", name="محمد")
    assert display_texts(latin)[0] == "Petrenko Ivan"
    assert display_texts(arabic)[0] == f"{FSI}Petrenko محمد{PDI}"
    assert display_texts(CustomerRow("g3", is_disabled=True))[-1] == "1"
    assert display_texts(latin)[-1] == ""
