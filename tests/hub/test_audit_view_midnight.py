"""The supervisor's audit trail across midnight, against a real hub (SQLite and PostgreSQL):
the panel is built once a session, so a "to" date left at its default moves to Kyiv's new
day on Refresh (it hid everything after midnight until a restart), one the supervisor picked
stays; the upper bound sent is the next day's Kyiv midnight, as the hub's filter is
exclusive (``ts_ms < until_ms``: a bound at 23:59:59.999 dropped an entry stamped then).
The widget's clock is injected: built at 23:50 Kyiv yesterday, refreshed now."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
from hub_proc import HubProc, add_employee, branches, sign_in
from PySide6.QtCore import QDate

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_view import AuditView

KYIV = ZoneInfo("Europe/Kyiv")
T = TypeVar("T")


class Link:
    """What the view calls: the supervisor's real hub client (``HubLink.call``)."""

    def __init__(self, hub: HubClient) -> None:
        self.hub = hub

    async def call(self, fn: Callable[[HubClient], Awaitable[T]]) -> T:
        return await fn(self.hub)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_to_follows_kyivs_new_day_on_refresh(hub: HubProc, http: httpx.Client,
                                             sandbox: SandboxProcess, qtbot: Any,
                                             qloop: Any, arun: Any) -> None:
    b0 = branches(sandbox)[0]
    teller = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=b0))
    sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
    entity = f"after-midnight-{uuid.uuid4().hex[:8]}"
    r = http.post("/api/v1/audit", headers=teller, json={"desk_id": "desk-1", "entries": [
        {"action": "cash", "entity": entity, "client_id": entity}]})
    assert r.status_code == 200, r.text
    client = HubClient(hub.base_url)
    client.token = sup["Authorization"].removeprefix("Bearer ")
    now = datetime.now(KYIV)
    clock = [datetime.combine(now.date() - timedelta(days=1), datetime.min.time(),
                              KYIV).replace(hour=23, minute=50)]
    view = AuditView(lambda: Link(client), OpRunner(), now=lambda: clock[0])  # type: ignore[arg-type, return-value]
    qtbot.addWidget(view)

    def shown() -> bool:
        return any(e.entity == entity for e in view.model.entries)

    try:
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.refresh()
        assert _day(view.date_to.date()) == clock[0].date() and not shown()  # yesterday's

        clock[0] = datetime.now(KYIV)  # past midnight: Refresh
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.refresh_button.click()
        assert shown()  # the entry made after midnight
        assert _day(view.date_to.date()) == clock[0].date()
        until = view.filters()["until_ms"]
        assert until == _ms(datetime.combine(clock[0].date() + timedelta(days=1),
                                             datetime.min.time(), KYIV))

        # a "to" the supervisor picked is theirs: the next day's Refresh leaves it
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.date_to.setDate(QDate(2026, 10, 25))
        clock[0] += timedelta(days=1)
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.refresh()
        assert _day(view.date_to.date()) == date(2026, 10, 25)
        # the end of the day summer time ends: midnight at +02:00, no millisecond cut off
        assert view.filters()["until_ms"] == _ms(datetime(2026, 10, 26, tzinfo=KYIV))
        assert view.filters()["until_ms"] == _ms(datetime(2026, 10, 25, 22, 0,
                                                          tzinfo=ZoneInfo("UTC")))
    finally:
        arun(client.aclose())
