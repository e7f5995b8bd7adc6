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


def test_each_alert_says_when_it_was_detected(qtbot: Any, english: Any) -> None:
    """Two alerts of one customer read the same but for their moment: the supervisor
    acknowledging one must tell which (Kyiv time, as every time the desk shows)."""
    alerts = AlertsList()
    qtbot.addWidget(alerts.list)
    at = 1_765_000_000  # 2025-12-06 05:46:40 UTC, 07:46 in Kyiv
    alerts.show_alerts([Alert(id=i, customer_guid="c1", login="login1", detected_at=at + i * 60,
                              reasons=["phone changed without approval"]) for i in (2, 1)])
    texts = [alerts.list.item(r).text() for r in range(2)]
    assert texts[0].startswith("06.12.2025 07:48 · ") and texts[1].startswith(
        "06.12.2025 07:47 · "), texts
    assert texts[0].split(" · ", 1)[1] == texts[1].split(" · ", 1)[1]  # else the same
