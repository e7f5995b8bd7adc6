"""A supervisor acknowledges a watcher's alert from the inbox: the desk had no way to, so
open alerts only piled up. Select it, type an (optional, as the hub's ``AckIn``) comment,
Acknowledge: the alert leaves the list and the hub lists it acknowledged by this supervisor
with the comment. A second desk acknowledging the same alert gets the hub's 409: the alert
leaves its list with a line saying so. Any other failure keeps the alert and the comment.
Real hub over HTTP (SQLite and PostgreSQL), the real ``HubClient``, the inbox (pytest-qt);
``httpx.MockTransport`` only for the fault."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from alert_rows import Approvals, insert_alerts
from hub_proc import PASSWORD, HubProc, add_employee, sign_in
from PySide6.QtCore import QCoreApplication, Qt

from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

DETAIL = {"login": "petro", "reasons": ["is_disabled"],
          "fields": {"is_disabled": {"before": False, "after": True}}}
COMMENT = "Called the customer: the block was asked for"
GONE = ("Another supervisor has already acknowledged this alert, or it is no longer your "
        "branch's: it was taken off the list.")


def tr(text: str) -> str:
    return QCoreApplication.translate("ApprovalsInbox", text)


@pytest.fixture()
def branch(hub: HubProc) -> dict[str, Any]:
    """A branch of its own with three open alerts, and two of its supervisors."""
    guid = str(uuid.uuid4())
    rows = [{"customer_guid": f"cust-{i}", "branch_guid": guid, "detected_at": i,
             "detail": json.dumps(DETAIL), "state": "open"} for i in range(3)]

    insert_alerts(hub, rows)
    with hub.client() as http:
        first = add_employee(http, hub, roles=["Supervisor"], branch_guid=guid)
        second = add_employee(http, hub, roles=["Supervisor"], branch_guid=guid)
    return {"guid": guid, "first": first, "second": second}


@pytest.fixture()
def desks(hub: HubProc, qtbot: Any, arun: Any) -> Any:
    """``desk(email, transport=None)``: a signed-in supervisor's inbox, its alerts read."""
    clients: list[HubClient] = []
    runners: list[OpRunner] = []

    def open_desk(email: str, transport: httpx.AsyncBaseTransport | None = None,
                  read: bool = True) -> ApprovalsInbox:
        client = HubClient(hub.base_url, transport=transport)
        clients.append(client)
        arun(client.open_password_session(email, PASSWORD))

        async def nobody(keys: list[str]) -> dict[str, str]:
            return {}
        ops = OpRunner()
        runners.append(ops)
        inbox = ApprovalsInbox(ops, lambda: Approvals(client),  # type: ignore[arg-type, return-value]
                               employee_names=nobody, customer_names=nobody)
        qtbot.addWidget(inbox)
        inbox.show()
        if read:
            inbox.reload()
            qtbot.waitUntil(lambda: inbox.alerts.count() == 3, timeout=20000)
            qtbot.waitUntil(lambda: not ops.is_busy(), timeout=20000)
        return inbox
    yield open_desk
    for ops in runners:
        ops.cancel_all()
    for client in clients:
        arun(client.aclose())


def _listed(hub: HubProc, email: str, state: str) -> list[dict[str, Any]]:
    """The branch's alerts in ``state`` as the hub lists them to that supervisor."""
    with hub.client() as http:
        r = http.get("/api/v1/alerts", headers=sign_in(http, email),
                     params={"state": state, "limit": 500})
        assert r.status_code == 200, r.text
        return list(r.json()["alerts"])


def _select(inbox: ApprovalsInbox, alert_id: int) -> None:
    for row in range(inbox.alerts.count()):
        inbox.alerts.setCurrentRow(row)
        if inbox.alert_list.selected_id() == alert_id:
            return
    raise AssertionError(f"alert {alert_id} is not listed")


def test_acknowledged_at_the_desk_it_leaves_and_the_hub_has_it(
        hub: HubProc, branch: dict[str, Any], desks: Any, qtbot: Any) -> None:
    inbox = desks(branch["first"])
    alerts = inbox.alert_list
    assert alerts.ack_bar.isVisible()
    assert not alerts.ack_button.isEnabled()  # nothing selected
    alerts.list.setCurrentRow(1)
    chosen = alerts.selected_id()
    assert chosen in [a["id"] for a in _listed(hub, branch["first"], "open")]
    assert alerts.ack_button.isEnabled()
    qtbot.keyClicks(alerts.comment, COMMENT)
    qtbot.keyClick(alerts.comment, Qt.Key.Key_Return)  # keyboard-first: Enter sends it
    assert not alerts.ack_button.isEnabled()  # on its way
    qtbot.waitUntil(lambda: inbox.alerts.count() == 2, timeout=15000)
    qtbot.waitUntil(lambda: not inbox.ops.is_busy(), timeout=15000)
    assert inbox.alert_list.ack_status.text() == tr("The alert was acknowledged.")
    assert inbox.status.text() == ""  # not the change requests' line
    assert alerts.comment.text() == ""  # it went with its alert
    assert alerts.selected_id() is None and not alerts.ack_button.isEnabled()

    done = _listed(hub, branch["first"], "acknowledged")
    assert [(a["id"], a["acknowledged_by"], a["comment"]) for a in done] == \
        [(chosen, branch["first"], COMMENT)]
    assert chosen not in [a["id"] for a in _listed(hub, branch["first"], "open")]


def test_a_second_desk_is_told_another_supervisor_did_it(
        hub: HubProc, branch: dict[str, Any], desks: Any, qtbot: Any) -> None:
    listed = _listed(hub, branch["first"], "open")
    first = desks(branch["first"])
    # the second desk heard of the newest alert live (its id from the event)
    second = desks(branch["second"], read=False)
    second.on_event(HubEvent(id=1, kind="alert.unapproved_change", alert_id=listed[0]["id"],
                             customer_guid=listed[0]["customer_guid"], **DETAIL))
    assert second.alerts.count() == 1

    _select(first, listed[0]["id"])  # the one the second desk lists
    qtbot.mouseClick(first.alert_list.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first.alerts.count() == 2, timeout=15000)
    qtbot.waitUntil(lambda: not first.ops.is_busy(), timeout=15000)

    second.alert_list.list.setCurrentRow(0)
    qtbot.keyClicks(second.alert_list.comment, "mine too")
    qtbot.mouseClick(second.alert_list.ack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.alerts.count() == 0, timeout=15000)
    qtbot.waitUntil(lambda: not second.ops.is_busy(), timeout=15000)
    assert second.alert_list.ack_status.text() == tr(GONE)
    done = _listed(hub, branch["first"], "acknowledged")
    assert [(a["id"], a["acknowledged_by"], a["comment"]) for a in done] == \
        [(listed[0]["id"], branch["first"], "")]  # the first one's: no comment, optional


def test_a_hub_failure_keeps_the_alert_and_the_comment(
        hub: HubProc, branch: dict[str, Any], desks: Any, qtbot: Any, arun: Any) -> None:
    real = httpx.AsyncHTTPTransport()
    failed: list[str] = []

    async def ack_fails(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ack"):  # the fault: everything else is the hub's
            failed.append(request.url.path)
            return httpx.Response(500, json={"detail": "database unavailable"})
        answer = await real.handle_async_request(request)
        return httpx.Response(answer.status_code, headers=answer.headers,
                              content=await answer.aread())

    try:
        inbox = desks(branch["first"], transport=httpx.MockTransport(ack_fails))
        alerts = inbox.alert_list
        alerts.list.setCurrentRow(1)
        chosen = alerts.selected_id()
        qtbot.keyClicks(alerts.comment, COMMENT)
        qtbot.mouseClick(alerts.ack_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(failed) and not inbox.ops.is_busy(), timeout=15000)
        assert len(failed) == 1  # a write: sent once, never again by itself
        lead = tr("The alert was not acknowledged (it stays listed and your comment is "
                  "kept): %1").split("%1")[0]
        said = inbox.alert_list.ack_status.text()
        assert said.startswith(lead) and len(said) > len(lead)
        assert inbox.alerts.count() == 3 and alerts.selected_id() == chosen
        assert alerts.comment.text() == COMMENT and alerts.ack_button.isEnabled()
        assert chosen in [a["id"] for a in _listed(hub, branch["first"], "open")]
        assert _listed(hub, branch["first"], "acknowledged") == []
    finally:
        arun(real.aclose())
