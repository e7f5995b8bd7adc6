"""Status and Segment sort by the words shown, in the Ukrainian order as the other text
columns: in Ukrainian "VIP" (Latin first) before "роздрібний", "на розгляді" (pending) before
"неактивний" (inactive), not by the platform's values ("retail" before "vip"). A live switch
of language sorts by the new words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Qt

from teller_app.cache.rows import CustomerRow
from teller_app.ui.customer_table_model import COLUMNS, CustomerTableModel

from .paged_source import PagedSource


def _column(attribute: str) -> int:
    return [a for a, _h in COLUMNS].index(attribute)


def _shown(model: CustomerTableModel, column: int) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def _sorted_model(qtbot: Any, ops: Any, column: int) -> CustomerTableModel:
    rows = [CustomerRow(wallet_user_guid=f"g{n}", surname="Коваль", name=f"Ім'я{n}",
                        segment=segment, status=status)
            for n, (segment, status) in enumerate((("retail", "inactive"), ("vip", "pending"),
                                                   ("retail", "active"), ("vip", "blocked")))]
    model = CustomerTableModel(ops)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(model.results_shown, timeout=5000):
        model.search(PagedSource(rows), "x")
    return model


def test_segment_and_status_sort_by_the_words_shown(qtbot: Any, ops: Any,
                                                    ukrainian: Any) -> None:
    segment, status = _column("segment"), _column("status")
    model = _sorted_model(qtbot, ops, segment)
    assert _shown(model, segment) == ["VIP", "VIP", "роздрібний", "роздрібний"]
    model.sort(status, Qt.SortOrder.AscendingOrder)
    assert _shown(model, status) == ["активний", "заблокований", "на розгляді", "неактивний"]


def test_a_language_switch_sorts_by_the_new_words(qtbot: Any, ops: Any, qapp: Any) -> None:
    from teller_app.ui.i18n import install_translators

    segment = _column("segment")
    model = _sorted_model(qtbot, ops, segment)
    assert _shown(model, segment) == ["retail", "retail", "VIP", "VIP"]  # English
    before = QLocale()
    installed = install_translators(qapp, "uk")  # sets Ukrainian number formatting too
    try:
        model.retranslate()
        assert _shown(model, segment) == ["VIP", "VIP", "роздрібний", "роздрібний"]
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(before)  # the next tests' numbers stay as they were
