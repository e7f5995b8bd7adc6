"""The desk reads the branch's open alerts in one read of the hub's most (500) and says when
the hub has more: it asked with no limit, so the hub's default of 100 cut the open alerts
beyond it without a word. Real hub over HTTP (SQLite and PostgreSQL), the real
``HubClient`` and the supervisor's inbox (pytest-qt)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from alert_rows import Approvals, insert_alerts
from hub_proc import PASSWORD, HubProc, add_employee
from PySide6.QtCore import QCoreApplication

from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import AlertList
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

FEW, MANY, ACKED = 230, 520, 25  # open alerts of two branches; acknowledged ones besides
DETAIL = json.dumps({"login": "petro", "reasons": ["is_disabled"],
                     "fields": {"is_disabled": {"before": False, "after": True}}})


def _rows(branch: str, opened: int) -> list[dict[str, Any]]:
    rows = [{"customer_guid": f"cust-{i}", "branch_guid": branch, "detected_at": i,
             "detail": DETAIL, "state": "open"} for i in range(opened)]
    rows += [{"customer_guid": f"ack-{i}", "branch_guid": branch, "detected_at": i,
              "detail": DETAIL, "state": "acknowledged"} for i in range(ACKED)]
    return rows


@pytest.fixture(scope="module")
def branches(hub: HubProc) -> dict[str, str]:
    """Supervisors' e-mails: of a branch with FEW open alerts and of one with MANY."""
    few, many = str(uuid.uuid4()), str(uuid.uuid4())

    insert_alerts(hub, _rows(few, FEW) + _rows(many, MANY))
    with hub.client() as http:
        return {"few": add_employee(http, hub, roles=["Supervisor"], branch_guid=few),
                "many": add_employee(http, hub, roles=["Supervisor"], branch_guid=many)}


@pytest.fixture()
def signed_in(hub: HubProc, arun: Any) -> Any:
    clients: list[HubClient] = []

    def open_as(email: str) -> HubClient:
        client = HubClient(hub.base_url)
        clients.append(client)
        arun(client.open_password_session(email, PASSWORD))
        return client
    yield open_as
    for client in clients:
        arun(client.aclose())


def test_the_client_reads_up_to_500_and_pages_on(
        branches: dict[str, str], signed_in: Any, arun: Any) -> None:
    few = signed_in(branches["few"])
    found = arun(few.alerts())
    assert len(found.alerts) == FEW and found.more is False and found.next_before_id is None
    assert all(a.state == "open" for a in found.alerts)

    many = signed_in(branches["many"])
    first = arun(many.alerts())
    assert len(first.alerts) == 500 and first.more is True
    assert first.next_before_id == first.alerts[-1].id
    rest = arun(many.alerts(before_id=first.next_before_id))
    assert len(rest.alerts) == MANY - 500 and rest.more is False
    ids = [a.id for a in first.alerts + rest.alerts]
    assert ids == sorted(set(ids), reverse=True)  # newest first, no gap, no repeat

    small = arun(many.alerts(limit=100))
    assert len(small.alerts) == 100 and small.more is True
    # an older hub says nothing of more: none
    assert AlertList.model_validate({"alerts": []}).more is False


def _inbox(qtbot: Any, client: HubClient) -> ApprovalsInbox:
    async def nobody(keys: list[str]) -> dict[str, str]:
        return {}

    inbox = ApprovalsInbox(OpRunner(), lambda: Approvals(client),  # type: ignore[arg-type, return-value]
                           employee_names=nobody, customer_names=nobody)
    qtbot.addWidget(inbox)
    inbox.show()
    return inbox


def test_the_inbox_lists_them_and_says_when_there_are_more(
        qtbot: Any, branches: dict[str, str], signed_in: Any) -> None:
    line = QCoreApplication.translate(
        "ApprovalsInbox", "More open alerts are waiting on the Teller Hub than are shown "
        "here: only the newest are listed.")

    few = _inbox(qtbot, signed_in(branches["few"]))
    few.reload()
    qtbot.waitUntil(lambda: few.alerts.count() == FEW, timeout=20000)
    qtbot.waitUntil(lambda: not few.ops.is_busy(), timeout=20000)
    assert not few.alert_list.more.isVisible()

    many = _inbox(qtbot, signed_in(branches["many"]))
    many.reload()
    qtbot.waitUntil(lambda: many.alerts.count() == 500, timeout=20000)
    qtbot.waitUntil(lambda: many.alert_list.more.isVisible(), timeout=5000)
    assert many.alert_list.more.text() == line
