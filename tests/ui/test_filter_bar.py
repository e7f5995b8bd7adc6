"""Filter bar: filters combine with as-you-type search, in the cache and (cold cache) on the
platform; a header click sorts the whole result with a visible indicator."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt

from teller_app.cache.filters import CustomerFilter, SortSpec
from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
from teller_app.ui.customer_table_model import COLUMNS
from teller_app.ui.filter_bar import day_start_utc
from teller_app.ui.filter_sources import (
    FilteredCacheSource,
    FilteredPlatformSource,
    FilterState,
)

from .conftest import make_window, new_customer, unique

KYC = [c for c, _h in COLUMNS].index("kyc_level")
NAME = [c for c, _h in COLUMNS].index("full_name")


def _rows(panel):  # type: ignore[no-untyped-def]
    return [panel.model.row_at(i) for i in range(panel.model.rowCount())]


def _choose(combo, value) -> None:  # type: ignore[no-untyped-def]
    combo.setCurrentIndex(combo.findData(value))


def test_platform_filters_and_ordering_when_the_cache_is_cold(qtbot, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                              arun, teller_session):
    window = main_window
    panel = window.search_panel
    bar = window.desk.filter_bar
    assert bar.isVisibleTo(window) and panel.layout().indexOf(bar) == 1
    surname = unique("Filt")
    arun(teller_session.client.create_customer(new_customer(
        sandbox, teller_session, surname=surname, kyc_level=3)))
    arun(teller_session.client.create_customer(new_customer(
        sandbox, teller_session, surname=surname + "b", kyc_level=1)))
    panel.search_box.setText(surname)
    qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 2,
                    timeout=10000)
    _choose(bar.kyc, 3)
    assert isinstance(panel.source_for(None), FilteredPlatformSource)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    assert _rows(panel)[0].kyc_level == 3 and _rows(panel)[0].surname == surname
    bar.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10000)
    # Name sorts on the platform (ordering=-surname) with the indicator shown.
    header = panel.table.horizontalHeader()
    header.setSortIndicator(KYC, Qt.SortOrder.AscendingOrder)
    header.setSortIndicator(NAME, Qt.SortOrder.DescendingOrder)
    assert panel.table.horizontalHeader().isSortIndicatorShown()
    source = panel.source_for(None)
    assert isinstance(source, FilteredPlatformSource)
    assert source.platform_filters() == {"ordering": "-surname"}
    qtbot.waitUntil(lambda: [r.surname for r in _rows(panel)] == [surname + "b", surname],
                    timeout=10000)


def test_platform_mapping_of_every_filter(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    flt = CustomerFilter(statuses=("active",), segments=("retail",), kyc_levels=(2,),
                         disabled=False, branch_guid="b1", created_from="2024-01-01T00:00:00Z",
                         created_to="2024-02-01T00:00:00Z", updated_from="2024-03-01",
                         updated_to="2024-04-01")
    source = FilteredPlatformSource(None, None, FilterState(flt, SortSpec("created_at")))
    assert source.platform_filters() == {
        "statuses": ["active"], "segments": ["retail"], "kyc_levels": [2],
        "is_disabled": False, "branch_guids": ["b1"],
        "min_created_at": "2024-01-01T00:00:00Z", "max_created_at": "2024-02-01T00:00:00Z",
        "min_updated_at": "2024-03-01", "max_updated_at": "2024-04-01",
        "ordering": "created_at"}
    # A Kyiv day starts at 22:00 or 21:00 UTC the day before.
    assert day_start_utc(QDate(2026, 1, 15)) == "2026-01-14T22:00:00.000000Z"
    assert day_start_utc(QDate(2026, 7, 15)) == "2026-07-14T21:00:00.000000Z"


@pytest.mark.slow
def test_cache_filters_and_sort_over_the_whole_result(qtbot, ops, teller_session, sandbox,  # type: ignore[no-untyped-def]
                                                      arun):
    session = teller_session
    surname = unique("Kesh")
    for kyc in (1, 3, 2):
        arun(session.client.create_customer(new_customer(
            sandbox, session, surname=f"{surname}{kyc}", kyc_level=kyc)))
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        panel = window.search_panel
        bar = window.desk.filter_bar
        panel.search_box.setText(surname)
        qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 3,
                        timeout=5000)
        _choose(bar.kyc, 2)
        assert isinstance(panel.source_for(None), FilteredCacheSource)
        qtbot.waitUntil(lambda: [r.kyc_level for r in _rows(panel)] == [2], timeout=5000)
        bar.clear()
        panel.table.horizontalHeader().setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        panel.table.horizontalHeader().setSortIndicator(KYC, Qt.SortOrder.DescendingOrder)
        qtbot.waitUntil(lambda: [r.kyc_level for r in _rows(panel)] == [3, 2, 1], timeout=5000)
        # over the whole cache, not only loaded rows: the first row has the highest KYC
        panel.search_box.setText("")
        qtbot.waitUntil(lambda: panel.model.query == "" and panel.model.rowCount() > 3,
                        timeout=5000)
        top = _rows(panel)[0].kyc_level
        assert top == max(r.kyc_level for r in _rows(panel))
        # disabled only: none of the new ones
        _choose(bar.disabled, True)
        qtbot.waitUntil(lambda: all(r.is_disabled for r in _rows(panel)), timeout=5000)
        # a created-from date in the future: nothing
        bar.disabled.setCurrentIndex(0)
        bar.created_from.setDate(QDate.currentDate().addDays(2))
        qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
