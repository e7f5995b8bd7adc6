"""The watcher's alerts list has the newest alert on top, after a reload as after a live one:
the hub sends them newest first, and the list put each read alert on top of the one before,
so a reload showed the oldest first."""

from __future__ import annotations

from typing import Any

from teller_app.platform.hub_models import Alert
from teller_app.ui.approvals_alerts import AlertsList


def test_a_reload_keeps_the_newest_alert_on_top(qtbot: Any, english: Any) -> None:
    alerts = AlertsList()
    qtbot.addWidget(alerts.list)
    newest_first = [Alert(id=i, customer_guid=f"c{i}", login=f"login{i}",
                          reasons=["phone changed without approval"]) for i in (3, 2, 1)]
    alerts.show_alerts(newest_first)
    assert [alerts.list.item(r).text().split(":")[0] for r in range(3)] == [
        "login3", "login2", "login1"]
    alerts.add("c4", "login4", {}, ["phone changed without approval"], 4)  # a live one
    assert alerts.list.item(0).text().startswith("login4")
