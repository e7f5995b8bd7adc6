"""An alert acknowledged at the desk while a reload's read of the open alerts is on its way
(the hub answered before the acknowledgement landed, so the answer still lists it) stays off
the list: it came back until the next reload. A read sent after the acknowledgement shows the
hub's list as it is, and the desk forgets the acknowledgement then. Real hub over HTTP
(SQLite and PostgreSQL), the real ``HubClient``, the inbox (pytest-qt); the read's answer is
held on its way back (the hub has answered), nothing else is faked."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from alert_rows import Approvals, insert_alerts
from hub_proc import PASSWORD, HubProc, add_employee
from PySide6.QtCore import Qt

from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import AlertList
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

DETAIL = {"login": "petro", "reasons": ["is_disabled"],
          "fields": {"is_disabled": {"before": False, "after": True}}}


class HeldReads(Approvals):
    """The real hub link; ``hold`` keeps the next alerts read's answer (already given by
    the hub) from the desk until ``release``."""

    def __init__(self, client: HubClient) -> None:
        super().__init__(client)
        self.gate = asyncio.Event()
        self.armed = False  # the next alerts read waits for the gate
        self.held = False

    def hold(self) -> None:
        self.gate.clear()
        self.armed = True

    def release(self) -> None:
        self.armed = False
        self.gate.set()

    async def call(self, fn: Any) -> Any:
        answer = await fn(self.client)
        if isinstance(answer, AlertList) and self.armed:
            self.armed, self.held = False, True
            try:
                await self.gate.wait()
            finally:
                self.held = False
        return answer


@pytest.fixture()
def supervisor(hub: HubProc) -> str:
    """A branch of its own with three open alerts, and its supervisor (before the loop runs:
    the rows are written with ``asyncio.run``)."""
    guid = str(uuid.uuid4())
    insert_alerts(hub, [{"customer_guid": f"race-{i}", "branch_guid": guid, "detected_at": i,
                         "detail": json.dumps(DETAIL), "state": "open"} for i in range(3)])
    with hub.client() as http:
        return add_employee(http, hub, roles=["Supervisor"], branch_guid=guid)


@pytest.fixture()
def desk(hub: HubProc, supervisor: str, qtbot: Any, arun: Any) -> Any:
    """The supervisor's inbox, its three alerts read."""
    email = supervisor
    client = HubClient(hub.base_url)
    arun(client.open_password_session(email, PASSWORD))
    service = HeldReads(client)

    async def nobody(keys: list[str]) -> dict[str, str]:
        return {}
    ops = OpRunner()
    inbox = ApprovalsInbox(ops, lambda: service,  # type: ignore[arg-type, return-value]
                           employee_names=nobody, customer_names=nobody)
    qtbot.addWidget(inbox)
    inbox.show()
    inbox.reload()
    qtbot.waitUntil(lambda: inbox.alerts.count() == 3 and not ops.is_busy(), timeout=20000)
    yield inbox, service
    service.release()
    ops.cancel_all()
    arun(client.aclose())


def _ids(inbox: ApprovalsInbox) -> list[int | None]:
    return [inbox.alert_list._ids[row] for row in range(inbox.alerts.count())]


def test_an_alert_acknowledged_during_a_read_does_not_come_back(desk: Any,
                                                                qtbot: Any) -> None:
    inbox, service = desk
    alerts = inbox.alert_list
    service.hold()
    inbox.reload()  # the hub answers with all three; the answer waits on its way back
    qtbot.waitUntil(lambda: service.held, timeout=15000)

    alerts.list.setCurrentRow(1)
    chosen = alerts.selected_id()
    assert chosen is not None
    qtbot.mouseClick(alerts.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: inbox.alerts.count() == 2, timeout=15000)  # acknowledged

    service.release()  # the read's answer lands: it lists the acknowledged alert
    qtbot.waitUntil(lambda: not service.held and not inbox.ops.is_busy(), timeout=15000)
    assert chosen not in _ids(inbox) and inbox.alerts.count() == 2

    # a read sent after the acknowledgement: the hub's list, the acknowledgement forgotten
    inbox.reload()
    qtbot.waitUntil(lambda: not alerts.acknowledged_here and not inbox.ops.is_busy(),
                    timeout=15000)
    assert chosen not in _ids(inbox) and inbox.alerts.count() == 2
