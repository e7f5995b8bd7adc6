"""Head office acknowledging a branch's alert is recorded in that branch's audit trail (the
row carried the acknowledger's own branch, so the branch's supervisors never saw who dealt
with their alert). Real hub over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from hub_proc import HubProc, add_employee, sign_in
from test_alerts_ack_event import _ack, _branch


def test_head_offices_acknowledgement_is_in_the_branchs_trail(hub: HubProc) -> None:
    branch = _branch(hub, 1)
    (alert_id,) = branch["ids"]
    with hub.client() as http:
        office = add_employee(http, hub, roles=["Supervisor"], head_office=True,
                              branch_guid=str(uuid.uuid4()))
    assert _ack(hub, office, alert_id) == 200
    with hub.client() as http:
        r = http.get("/api/v1/audit", headers=sign_in(http, branch["first"]),
                     params={"limit": 1000})
    assert r.status_code == 200, r.text
    rows = [e for e in r.json()["entries"]
            if e["entity"] == f"alert:{alert_id}" and e["actor"] == office]
    assert len(rows) == 1, r.json()["entries"][-5:]
    assert rows[0]["branch_guid"] == branch["guid"]
    assert rows[0]["detail"]["acknowledged"] is True
