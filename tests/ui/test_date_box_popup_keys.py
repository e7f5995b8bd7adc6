"""A date box's calendar opens by keys, as a combo box's list does: F4 or Alt+Down (Qt opens
it only by mouse; Alt+Down stepped the date back a day). Escape closes it and keeps the date,
Enter in it sets the day picked; either way the keyboard is back in the box. The audit trail's
boxes, the history's and the search filters' all pass ``date_boxes.show_dates``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QWidget

from teller_app.ui.audit_view import AuditView
from teller_app.ui.filter_bar import FilterBar


def _active(qtbot: Any, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def _focused(qtbot: Any, box: QDateEdit) -> None:
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def test_f4_and_alt_down_open_the_calendar_escape_and_enter_close_it(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    view = AuditView(lambda: None, ops)  # no hub: the boxes alone
    _active(qtbot, view)
    box = view.date_from
    box.setDate(QDate(2026, 3, 10))
    calendar = box.calendarWidget()
    _focused(qtbot, box)

    qtbot.keyClick(box, Qt.Key.Key_F4)
    qtbot.waitUntil(calendar.isVisible, timeout=5000)
    assert calendar.isAncestorOf(QApplication.focusWidget())  # the keys go to the calendar
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=5000)
    assert _day(box.date()) == date(2026, 3, 10)  # Escape: nothing picked
    qtbot.waitUntil(box.hasFocus, timeout=5000)

    qtbot.keyClick(box, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(calendar.isVisible, timeout=5000)
    assert _day(box.date()) == date(2026, 3, 10)  # opened, not stepped back a day
    for _ in range(2):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible(), timeout=5000)
    assert _day(box.date()) == date(2026, 3, 12)  # the day picked
    qtbot.waitUntil(box.hasFocus, timeout=5000)

    # the plain arrows still step the date
    box.setSelectedSection(QDateEdit.Section.DaySection)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert _day(box.date()) == date(2026, 3, 11) and not calendar.isVisible()


@pytest.mark.parametrize("key", [Qt.Key.Key_F4, Qt.Key.Key_Down])
def test_the_search_filters_dates_open_by_keys_too(qtbot, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    bar = FilterBar()
    _active(qtbot, bar)
    box = bar.created_from
    _focused(qtbot, box)
    modifier = Qt.KeyboardModifier.AltModifier if key == Qt.Key.Key_Down else \
        Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(box, key, modifier)
    qtbot.waitUntil(box.calendarWidget().isVisible, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.calendarWidget().isVisible(), timeout=5000)
    qtbot.waitUntil(box.hasFocus, timeout=5000)
