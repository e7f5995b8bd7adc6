"""The customer lists a Ukrainian teller sees are in Ukrainian alphabetical order by surname,
then name (а б в г ґ д е є ж з и і ї й к … ч ш щ ь ю я; Latin names first, as in the cache's
sort key): the start page and a search, from the platform while the cache is cold and from
the warm cache. The table sorted what it loaded in Python's default string order, where є,
і, ї and ґ come after я: "Їжакевич" was listed after "Чорновіл", "Чорновіл Олександр" before
"Чорновіл Євген". The cache's whole list comes in that order already, and the table does no
work per row on it. Real embedded sandbox, real SQLCipher cache."""

from __future__ import annotations

import random
from typing import Any

import pytest
from PySide6.QtCore import Qt

from teller_app.ui import customer_table_model
from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
from teller_app.ui.search_sources import CacheSearchSource, PlatformSearchSource

from .conftest import make_window, new_customer, unique

# in the order a Ukrainian reader expects
IN_ORDER = ["Adams", "Андрієнко", "Гнатюк", "Ґудзь", "Дмитренко", "Євтушенко", "Жук",
            "Иванків", "Іваненко", "Ївженко", "Їжакевич", "Йосипенко", "Чорновіл", "Щур",
            "Юрченко", "Яковенко"]


def _create(arun: Any, sandbox: Any, session: Any) -> str:
    """The customers of IN_ORDER, each named "Ярина<tag>", and two more Чорновіл
    ("Олександр<tag>", "Євген<tag>"), created shuffled."""
    tag = unique("")
    people = [(s, "Ярина" + tag) for s in IN_ORDER] + [
        ("Чорновіл", "Олександр" + tag), ("Чорновіл", "Євген" + tag)]
    for surname, name in random.sample(people, len(people)):
        arun(session.client.create_customer(new_customer(sandbox, session, surname=surname,
                                                         name=name)))
    return "Ярина" + tag


def _chornovils(rows: list[Any], name: str) -> list[str]:
    tag = name.removeprefix("Ярина")
    return [r.name.removesuffix(tag) for r in rows
            if r.surname == "Чорновіл" and r.name.endswith(tag)]


def _load_all(qtbot: Any, model: Any) -> list[Any]:
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model._fetching, timeout=10000)
    return [model.row_at(i) for i in range(model.rowCount())]


def _surnames(rows: list[Any], name: str) -> list[str]:
    return [r.surname for r in rows if r.name == name]


def _search(qtbot: Any, panel: Any, text: str) -> None:
    with qtbot.waitSignal(panel.model.results_shown, timeout=10000,
                          check_params_cb=lambda query: query == text):
        panel.search_box.setText(text)
        panel.run_search()


def test_platform_lists_in_ukrainian_order_while_the_cache_is_cold(
        qtbot: Any, ops: Any, arun: Any, sandbox: Any, teller_session: Any) -> None:
    name = _create(arun, sandbox, teller_session)
    window = make_window(qtbot, ops, teller_session, sandbox)
    try:
        panel = window.search_panel
        assert isinstance(panel.source_for(None), PlatformSearchSource)
        # the start page, as it comes up after the sign-in
        qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=10000)
        assert panel.table.horizontalHeader().sortIndicatorSection() == 0
        rows = _load_all(qtbot, panel.model)
        assert _surnames(rows, name) == IN_ORDER, _surnames(rows, name)
        assert _chornovils(rows, name) == ["Євген", "Олександр", "Ярина"]
        # a search
        _search(qtbot, panel, name)
        assert _surnames(_load_all(qtbot, panel.model), name) == IN_ORDER
    finally:
        window._closing_for_sign_out = True
        window.close()
        ops.cancel_all()


@pytest.mark.slow
def test_the_warm_cache_lists_in_ukrainian_order_sorted_once(
        qtbot: Any, ops: Any, arun: Any, sandbox: Any, teller_session: Any,
        monkeypatch: Any) -> None:
    name = _create(arun, sandbox, teller_session)
    bundle = arun(open_branch_cache(teller_session))
    window = make_window(qtbot, ops, teller_session, sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        panel = window.search_panel
        assert isinstance(panel.source_for(None), CacheSearchSource)
        keyed: list[str] = []
        key = getattr(customer_table_model, "name_key", None)

        def counted(row: Any) -> str:
            keyed.append(row.surname)
            assert key is not None
            return key(row)

        monkeypatch.setattr(customer_table_model, "name_key", counted, raising=False)
        _search(qtbot, panel, "")  # the start page, from the cache
        assert panel.table.horizontalHeader().sortIndicatorOrder() == \
            Qt.SortOrder.AscendingOrder
        rows = _load_all(qtbot, panel.model)
        assert _surnames(rows, name) == IN_ORDER, _surnames(rows, name)
        assert _chornovils(rows, name) == ["Євген", "Олександр", "Ярина"]
        assert keyed == []  # in the cache's order already: nothing sorted on the UI thread
        # Name descending, then ascending again: the loaded rows in order again
        panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        assert _surnames([panel.model.row_at(i) for i in range(panel.model.rowCount())],
                         name) == IN_ORDER[::-1]
        panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        assert _surnames([panel.model.row_at(i) for i in range(panel.model.rowCount())],
                         name) == IN_ORDER
        # a search: the matches come ranked, the table puts them in order
        _search(qtbot, panel, name)
        assert _surnames(_load_all(qtbot, panel.model), name) == IN_ORDER
    finally:
        window._closing_for_sign_out = True
        window.close()
        ops.cancel_all()
        arun(close_branch_cache(bundle))
