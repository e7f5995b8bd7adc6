"""Live watcher alerts kept the inbox's list growing past the 500 a reload reads (an alert
storm: without end). The list keeps the newest 500, drops the oldest and says that more are
waiting, as a reload whose read left some out does."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.platform.hub_models import HubEvent
from teller_app.ui.approvals_alerts import ALERTS_READ

from .test_approvals_phone_alerts import _inbox


@pytest.mark.usefixtures("english")
def test_live_alerts_keep_the_newest_500_and_say_more_wait(qtbot: Any, ops: Any) -> None:
    inbox = _inbox(qtbot, ops)
    inbox.show()
    alerts = inbox.alert_list
    for n in range(1, ALERTS_READ + 1):
        inbox.on_event(HubEvent(id=n, kind="alert.unapproved_change", alert_id=n,
                                customer_guid=f"c{n}", login=f"login{n}",
                                fields={"is_disabled": {"before": False, "after": True}},
                                reasons=["is_disabled"]))
    assert inbox.alerts.count() == ALERTS_READ
    assert not alerts.more.isVisibleTo(inbox)  # all of them shown
    for n in range(ALERTS_READ + 1, ALERTS_READ + 6):
        inbox.on_event(HubEvent(id=n, kind="alert.unapproved_change", alert_id=n,
                                customer_guid=f"c{n}", login=f"login{n}",
                                fields={"is_disabled": {"before": False, "after": True}},
                                reasons=["is_disabled"]))
    assert inbox.alerts.count() == ALERTS_READ
    assert alerts.more.isVisibleTo(inbox) and alerts.more.text()
    assert inbox.alerts.item(0).text().startswith(f"login{ALERTS_READ + 5}")  # newest on top
    assert inbox.alerts.item(ALERTS_READ - 1).text().startswith("login6")  # 1-5 dropped
    inbox.alerts.setCurrentRow(ALERTS_READ - 1)
    assert alerts.selected_id() == 6  # rows and ids still agree
