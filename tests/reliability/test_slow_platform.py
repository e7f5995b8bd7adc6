"""A slow platform (2 s per call): the UI keeps running (a 20 ms timer keeps firing while a
call is pending), and a newer search cancels the older one still waiting, whose late answer
is never shown."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer
from reliability_helpers import TELLER, password_of

from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.ui.async_op import OpRunner
from teller_app.ui.sign_in import sandbox_target


@pytest.mark.slow
def test_slow_platform_keeps_the_ui_responsive_and_cancels_stale_searches(
        qtbot, qloop, arun, fresh_sandbox) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.main_window import MainWindow

    sb = fresh_sandbox
    profile = sandbox_target(sb.manifest).profile
    session = arun(open_session(profile, PasswordLogin(TELLER, password_of(sb, TELLER))))
    window = MainWindow(session, OpRunner(), sandbox_asset=sb.manifest["asset"])  # no cache
    qtbot.addWidget(window, before_close_func=lambda w: w.supervision.shutdown())
    window.show()
    window.start()
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=15000)
    httpx.post(f"{sb.base_url}/__sim/faults", json={"latency_ms": 2000}, timeout=10,
               headers={"X-Sim-Admin": sb.manifest["sim_admin_token"]})
    ticks = [0]

    def tick() -> None:
        ticks[0] += 1

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    try:
        panel.search_box.setText("Шев")
        qtbot.waitUntil(lambda: window.ops.is_busy("search"), timeout=5000)
        stale: Any = window.ops._by_key["search"]
        panel.search_box.setText("Ко")
        qtbot.waitUntil(lambda: stale.task.done(), timeout=5000)
        assert stale.task.cancelled()  # the older request was cancelled, not awaited
        waiting_from = ticks[0]
        qtbot.waitUntil(lambda: panel.model.query == "Ко" and not window.ops.is_busy("search"),
                        timeout=20000)
        # While the 2 s call was pending the timer kept firing; a UI thread blocked in the
        # call would have fired it once at most (Qt does not queue missed timeouts).
        ticks_while_waiting = ticks[0] - waiting_from
        rows = [panel.model.row_at(i) for i in range(panel.model.rowCount())]
        def matches_ko(r: Any) -> bool:  # the platform matches any name part or the login
            text = f"{r.surname} {r.name} {r.paternal_name} {r.login}".lower()
            return "ко" in text or "ko" in text

        assert all("шев" not in (r.surname or "").lower() or matches_ko(r)
                   for r in rows)  # no stale rows
    finally:
        timer.stop()
        window._closing_for_sign_out = True
        window.ops.cancel_all()
        arun(session.close(), timeout=30000)
    assert ticks_while_waiting >= 10, ticks_while_waiting
