"""The inbox's memory did not shrink between reloads: every request announced stayed in it
(360 entries after a soak of 60 cycles) and every alert acknowledged here stayed in the
alerts list's memory of acknowledgements. A request's announcements go once an event moves
it past them (decided, withdrawn, applied), and an acknowledgement is remembered only while
a read that could still list the alert is on its way (at most ``ACKED_KEPT``). What they
are for stays: a request is announced once per state (an approved request the hub could not
apply again, as what it now is); an alert acknowledged during a read stays off its answer."""

from __future__ import annotations

from typing import Any

from teller_app.platform.hub_models import Alert, HubEvent
from teller_app.ui import approvals_alerts
from teller_app.ui.approvals_alerts import AlertsList

from .test_approvals_inbox import FakeService, _inbox, _request

CYCLES = 60


def _file(qtbot: Any, inbox: Any, service: FakeService, event_id: int) -> str:
    request = _request()
    service.requests[request.id] = request
    with qtbot.waitSignal(inbox.new_requests, timeout=5000) as news:
        inbox.on_event(HubEvent(id=event_id, kind="request.filed", request_id=request.id))
    assert [r.id for r in news.args[0]] == [request.id]
    return request.id


def test_requests_decided_without_a_reload_leave_the_memory(qtbot: Any, ops: Any) -> None:
    service = FakeService([])
    inbox = _inbox(qtbot, ops, service)
    announced: list[str] = []
    inbox.new_requests.connect(lambda found: announced.extend(r.id for r in found))
    inbox.start()
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)
    event_id = 0
    sizes = []
    for cycle in range(CYCLES):
        event_id += 1
        request_id = _file(qtbot, inbox, service, event_id)
        ends = (["request.approved", "request.applied"], ["request.rejected"],
                ["request.withdrawn"], ["request.approved", "request.failed"])[cycle % 4]
        for kind in ends:
            event_id += 1
            inbox.on_event(HubEvent(id=event_id, kind=kind, request_id=request_id))
        assert inbox.model.rowCount() == 0
        sizes.append(len(inbox._memory._announced))
    assert max(sizes) == 0, sizes  # it grew by one a cycle
    assert len(announced) == len(set(announced)) == CYCLES  # each announced once

    # approved, the hub could not apply it: listed and announced again, as approved
    request_id = _file(qtbot, inbox, service, event_id + 1)
    inbox.on_event(HubEvent(id=event_id + 2, kind="request.approved", request_id=request_id))
    service.requests[request_id] = service.requests[request_id].model_copy(
        update={"state": "approved"})
    with qtbot.waitSignal(inbox.new_requests, timeout=5000) as news:
        inbox.on_event(HubEvent(id=event_id + 3, kind="request.interrupted",
                                request_id=request_id))
    assert [(r.id, r.state) for r in news.args[0]] == [(request_id, "approved")]
    assert inbox.model.rowCount() == 1
    # the same again (a resume that failed once more): not announced twice
    inbox.on_event(HubEvent(id=event_id + 4, kind="request.interrupted", request_id=request_id))
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)
    assert announced.count(request_id) == 2
    inbox.on_event(HubEvent(id=event_id + 5, kind="request.applied", request_id=request_id))
    assert inbox.model.rowCount() == 0 and len(inbox._memory._announced) == 0


def _alert(alert_id: int) -> Alert:
    return Alert(id=alert_id, customer_guid=f"c{alert_id}", login=f"login{alert_id}",
                 reasons=["is_disabled"], fields={"is_disabled": {"before": False,
                                                                   "after": True}})


def test_acknowledgements_are_kept_only_against_a_read_on_its_way(qtbot: Any) -> None:
    kept = approvals_alerts.ACKED_KEPT
    alerts = AlertsList()
    qtbot.addWidget(alerts.list)
    many = kept + 100
    alerts.show_alerts([_alert(i) for i in range(many, 0, -1)], read=alerts.read_sent())
    for alert_id in range(1, many + 1):  # a day's acknowledgements, no reload
        alerts.acknowledged(alert_id)  # (the list keeps the newest 500 of them)
    assert alerts.list.count() == 0
    assert alerts.acknowledged_here == frozenset()  # no read could bring one back

    # a read on its way: what is acknowledged meanwhile stays off its answer (the newest
    # ``ACKED_KEPT`` of them at most), and is forgotten once it is shown
    read = alerts.read_sent()
    for alert_id in range(1, many + 1):
        alerts.acknowledged(alert_id)
    assert len(alerts.acknowledged_here) == kept
    assert max(alerts.acknowledged_here) == many
    alerts.show_alerts([_alert(many), _alert(many + 1)], read=read)
    assert [alerts._ids[row] for row in range(alerts.list.count())] == [many + 1]
    assert alerts.acknowledged_here == frozenset()

    # a read that failed ends too
    read = alerts.read_sent()
    alerts.acknowledged(many + 1)
    assert alerts.acknowledged_here == {many + 1}
    alerts.read_ended(read)
    assert alerts.acknowledged_here == frozenset()
