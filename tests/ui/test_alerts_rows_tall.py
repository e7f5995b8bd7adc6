"""The supervisor's dock at 1280×720 with three short watcher alerts: the alerts list is as
tall as its three rows (it took a fixed third of the dock's free room), so the requests
above keep the room; many alerts scroll (past a few lines only into the room the requests
leave empty: ``test_inbox_alerts_take_spare_room``)."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.platform.hub_models import HubEvent

from .test_approvals_phone_alerts import _inbox


def _alert(n: int) -> HubEvent:
    return HubEvent(id=n, kind="alert.unapproved_change", login=f"petro{n}",
                    fields={"is_disabled": {"before": False, "after": True}},
                    reasons=["is_disabled"])


@pytest.mark.usefixtures("english")
def test_three_short_alerts_take_three_rows_and_many_scroll(qtbot: Any, ops: Any) -> None:
    inbox = _inbox(qtbot, ops)
    inbox.resize(540, 680)
    inbox.show()
    qtbot.waitExposed(inbox)
    alerts = inbox.alerts
    for n in range(3):
        inbox.on_event(_alert(n))

    def rows() -> int:
        return sum(alerts.visualItemRect(alerts.item(r)).height() for r in range(alerts.count()))

    qtbot.waitUntil(lambda: alerts.isVisible() and rows() > 0, timeout=5000)
    frame = 2 * alerts.frameWidth()
    # as tall as its rows, every row shown
    qtbot.waitUntil(lambda: alerts.height() <= rows() + frame + 2
                    and alerts.verticalScrollBar().maximum() == 0, timeout=5000)
    assert rows() < 3 * 2 * alerts.fontMetrics().lineSpacing()  # three one-line rows
    assert inbox.table.height() > 3 * alerts.height()  # the requests keep the room

    for n in range(3, 30):
        inbox.on_event(_alert(n))
    qtbot.waitUntil(lambda: alerts.verticalScrollBar().maximum() > 0, timeout=5000)
    # no requests: the table keeps its header and an empty row, the alerts the rest
    assert inbox.table.height() >= inbox.alerts_room.table_needs() - 2
