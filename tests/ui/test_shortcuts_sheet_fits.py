"""The F1 sheet shows every key whole, in English and in Ukrainian (whose long action texts
once pushed the Keys column behind a horizontal scrollbar): Action wraps, Keys fits."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidget

from teller_app.ui.shortcuts import ShortcutsSheet


def assert_keys_whole(table: QTableWidget) -> None:
    viewport = table.viewport().width()
    keys_needed = max(table.sizeHintForColumn(2),
                      table.horizontalHeader().sectionSizeHint(2))
    assert table.columnWidth(2) >= keys_needed
    right_edge = table.columnViewportPosition(2) + table.columnWidth(2)
    assert right_edge <= viewport, (right_edge, viewport)
    assert table.horizontalScrollBar().maximum() == 0
    assert not table.horizontalScrollBar().isVisible()


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_keys_column_is_whole(qtbot, request, language):  # type: ignore[no-untyped-def]
    request.getfixturevalue(language)
    window = request.getfixturevalue("main_window")
    sheet = window.desk.open_shortcuts()
    assert isinstance(sheet, ShortcutsSheet)
    qtbot.waitExposed(sheet)
    table = sheet.table
    if language == "ukrainian":
        assert table.horizontalHeaderItem(2).text() != "Keys"  # the translator is in
    screen = sheet.screen().availableGeometry()
    assert sheet.width() <= screen.width() and sheet.height() <= screen.height()
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    assert_keys_whole(table)
    if sheet.height() < screen.height() * 9 // 10:  # room enough: every row in sight
        assert table.verticalScrollBar().maximum() == 0

    # narrower than the longest action: it wraps onto more lines, the keys stay whole
    longest = max(range(table.rowCount()), key=lambda r: len(table.item(r, 1).text()))
    one_line = table.rowHeight(longest)
    sheet.resize(420, sheet.height())
    qtbot.waitUntil(lambda: table.rowHeight(longest) > one_line)
    assert_keys_whole(table)
    sheet.close()
