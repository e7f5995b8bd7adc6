"""The supervisor's dock with three change requests and a hundred watcher alerts: the alerts
list stopped at eight lines and scrolled while the requests table above kept empty room
below its three rows. The alerts now grow into that room, every request stays in view, and
requests arriving take room back (the alerts never below their eight lines)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

import pytest

from teller_app.platform.hub_models import ChangeRequest, HubEvent

from .test_approvals_phone_alerts import _inbox


def _alert(n: int) -> HubEvent:
    return HubEvent(id=n, kind="alert.unapproved_change", login=f"petro{n}", alert_id=n,
                    fields={"is_disabled": {"before": False, "after": True}},
                    reasons=["is_disabled"])


def _request() -> ChangeRequest:
    change = {"is_disabled": True}
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                         maker="maker@branch-12.bank.ua", reason="fraud reported",
                         created_at=time.time(), state="pending")


@pytest.mark.usefixtures("english")
def test_alerts_grow_into_the_requests_empty_room(qtbot: Any, ops: Any) -> None:
    inbox = _inbox(qtbot, ops)
    inbox.resize(540, 900)
    inbox.show()
    qtbot.waitExposed(inbox)
    table, alerts = inbox.table, inbox.alerts
    inbox.model.replace([_request() for _ in range(3)])
    for n in range(100):
        inbox.on_event(_alert(n))
    frame = 2 * alerts.frameWidth()
    eight = 8 * alerts.fontMetrics().lineSpacing() + frame

    def rows_in_view(view: Any, count: int) -> int:
        return sum(1 for r in range(count) if view.visualRect(
            view.model().index(r, 0)).bottom() < view.viewport().height()
            and view.visualRect(view.model().index(r, 0)).top() >= 0)

    def all_requests_shown() -> bool:
        last = table.model().index(table.model().rowCount() - 1, 0)
        return table.visualRect(last).bottom() < table.viewport().height()

    qtbot.waitUntil(lambda: alerts.isVisible() and alerts.height() > eight + 40, timeout=5000)
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)
    assert all_requests_shown()
    # the table keeps no more than its rows and one empty row (the rest went to the alerts)
    qtbot.waitUntil(lambda: table.height() <= inbox.alerts_room.table_needs()
                    + table.verticalHeader().defaultSectionSize(), timeout=5000)
    assert alerts.verticalScrollBar().maximum() > 0  # a hundred still scroll, in more room
    shown_now = rows_in_view(alerts, alerts.count())
    assert shown_now > 8  # one-line alerts: more than the eight lines' rows

    # more requests arrive: they take the room back, each shown, the alerts not below 8 lines
    for _ in range(6):
        assert inbox.model.add(_request())
    qtbot.waitUntil(lambda: all_requests_shown() and alerts.height() < eight + 40 + (
        shown_now - 8) * alerts.fontMetrics().lineSpacing(), timeout=5000)
    assert alerts.height() >= eight - 2 or not all_requests_shown()
