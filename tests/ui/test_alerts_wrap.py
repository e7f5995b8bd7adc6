"""Watcher alerts in the supervisor's ~540 px dock: a long alert wraps at the list's width
(no horizontal scroll bar, no line cut at the edge) and its whole text is its tooltip."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from teller_app.ui.approvals_alerts import AlertsList

LIMIT = {"balance_allowed": {"after": "250000", "balance_allowed_asset": "UAH"},
         "status": {"after": "closed"}}


def test_a_long_alert_wraps_in_the_dock_and_reads_whole_in_its_tooltip(qtbot: Any) -> None:
    alerts = AlertsList()
    view = alerts.list
    qtbot.addWidget(view)
    view.resize(520, 200)
    view.show()
    qtbot.waitExposed(view)
    alerts.add("6f1c0a52-0000-4000-8000-000000000001", "petro.kovalenko", dict(LIMIT), [])
    alerts.add("6f1c0a52-0000-4000-8000-000000000002", "olena.shevchenko-kvitka",
               {"status": {"after": "closed"}}, [])
    alerts.retranslate()
    long_row = view.item(1)
    text = long_row.text()
    assert text.startswith("petro.kovalenko: ") and text.endswith("(no approved request)")
    assert text in long_row.toolTip()  # whole (escaped plain text)
    line = view.fontMetrics().height()
    viewport = view.viewport().width()
    assert view.fontMetrics().horizontalAdvance(text) > viewport  # would not fit one line
    qtbot.waitUntil(lambda: view.visualItemRect(long_row).height() >= 2 * line, timeout=5000)
    assert view.visualItemRect(long_row).right() <= viewport
    assert view.visualItemRect(view.item(0)).height() < 2 * line  # a short one: one line
    assert not view.horizontalScrollBar().isVisible()
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
