"""The search panel's filter row wraps when narrow: two fixed rows made the panel, and so
the main window's central area, at least ~880 px wide in Ukrainian, and beside the approvals
inbox a 1280 px screen had no room left. Every filter stays whole, readable and apart, in
reading order (the Tab order follows ``FilterBar.focus_chain``)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from teller_app.ui.filter_bar import FilterBar
from teller_app.ui.search_panel import SearchPanel

NARROW = 600


def _panel(qtbot: Any, ops: Any) -> tuple[SearchPanel, FilterBar]:
    """The panel as ``filter_bar.install`` lays it out: search box, filter bar, results."""
    panel = SearchPanel(ops, lambda _branch: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    bar = FilterBar(panel)
    panel.layout().insertWidget(1, bar)  # type: ignore[attr-defined]
    return panel, bar


def _shown_at(qtbot: Any, panel: SearchPanel, width: int, language: str) -> None:
    panel.resize(width, 420)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.width() == width)


def _on_panel(widget: QWidget, panel: SearchPanel) -> QRect:
    return QRect(widget.mapTo(panel, widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_the_filter_row_wraps_and_keeps_every_filter_readable(qtbot: Any, ops: Any,  # type: ignore[no-untyped-def]
                                                             request, language: str) -> None:
    request.getfixturevalue(language)
    panel, bar = _panel(qtbot, ops)
    assert panel.minimumSizeHint().width() <= NARROW
    _shown_at(qtbot, panel, NARROW, language)
    boxes = bar.focus_chain()
    labels = list(bar.labels.values())
    rects = [_on_panel(w, panel) for w in [*boxes, *labels]]
    for widget, rect in zip([*boxes, *labels], rects, strict=True):
        name = widget.objectName() or widget.text()  # type: ignore[attr-defined]
        assert widget.isVisible(), name
        assert panel.rect().contains(rect), name  # nothing cut off at the right
        assert rect.width() >= widget.minimumSizeHint().width(), name
        assert rect.height() >= widget.minimumSizeHint().height(), name
    for label in labels:  # a label reads whole
        assert label.width() >= label.sizeHint().width(), label.text()
    for i, first in enumerate(rects):
        for second in rects[i + 1:]:
            assert not first.intersects(second), (first, second)
    # reading order = Tab order: each next filter is to the right on its line, or lower
    for before, after in pairwise(boxes):
        a, b = _on_panel(before, panel), _on_panel(after, panel)
        assert (b.left() > a.right() and b.top() < a.bottom()) or b.top() > a.bottom(), (
            before.objectName(), after.objectName())
    # the table keeps its room below the filters
    assert _on_panel(panel.table, panel).top() > max(r.bottom() for r in rects)


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_wide_the_filters_keep_their_two_lines(qtbot: Any, ops: Any, request,  # type: ignore[no-untyped-def]
                                               language: str) -> None:
    request.getfixturevalue(language)
    panel, bar = _panel(qtbot, ops)
    _shown_at(qtbot, panel, 1000, language)
    rects = [_on_panel(w, panel) for w in bar.focus_chain()]
    breaks = [b.top() > a.bottom() for a, b in pairwise(rects)]
    assert breaks.count(True) == 1 and breaks.index(True) == 3  # choices; dates and Clear
