"""The audit trail's Employee and Customer columns hold a typical employee's e-mail and a
customer's usual full name whole at a 1280 px (and 1366 px) window, in either language: at
Qt's default 100 px both were cut. The
Details column, the one that needs room most, keeps most of the width."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStyle

from teller_app.ui.audit_view import AuditView

EMAIL = "olena.koval@branch-12.bank.ua"
NAME = "Коваленко Олександра"


@pytest.mark.parametrize("language", ["english", "ukrainian"])
@pytest.mark.parametrize("width", [1280, 1366])
def test_a_typical_email_fits_the_employee_column(qtbot: Any, ops: Any, language: str,
                                                  width: int, request: Any) -> None:
    request.getfixturevalue(language)
    window = QMainWindow()
    qtbot.addWidget(window)
    view = AuditView(lambda: None, ops)  # no hub: nothing read
    dock = QDockWidget("Audit trail")
    dock.setWidget(view)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)  # as the desk does
    window.resize(width, 720)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.sendEvent(view, QEvent(QEvent.Type.LanguageChange))
    table = view.table
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    for column, text in ((3, EMAIL), (4, NAME)):  # Employee, Customer
        text_room = table.columnWidth(column) - 2 * margin
        assert text_room >= metrics.horizontalAdvance(text), (column, text_room)
        assert metrics.elidedText(text, Qt.TextElideMode.ElideRight, text_room) == text
    # the details (the last column, stretched) keep the most room of any column
    widths = [table.columnWidth(c) for c in range(table.model().columnCount())]
    assert widths[-1] == max(widths) and widths[-1] >= table.viewport().width() // 3, widths
