"""A desk resumes the live stream with the newest event id it heard. After the hub's database
was replaced (a restore, a deleted embedded SQLite file) ids restart lower and that cursor
lies past the newest id: the hub carries on from its newest id, so the next event is heard
at once, and the ``ready`` frame carries that id as its ``id:`` (an EventSource resumes from
it). Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from fe_helpers import SseReader, new_customer
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

FAR = 10**15  # the cursor a desk kept from before the replace: far past any id here


def test_a_cursor_past_the_newest_id_hears_the_next_event(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    teller = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=b0))
    sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
    guid = new_customer(sandbox, b0)
    stream = SseReader(hub.base_url, sup, last_event_id=FAR)
    try:
        r = http.post("/api/v1/requests", headers=teller, json={
            "kind": "customer_update", "customer_guid": guid, "change": {"kyc_level": 1},
            "reason": "after a restore"})
        assert r.status_code == 201, r.text
        heard = stream.wait(lambda e: e["kind"] == "request.filed"
                            and e["request_id"] == r.json()["id"])
        ready = stream.ready_frame
    finally:
        stream.close()
    start = ready["data"]["last_event_id"]
    assert ready["id"] == str(start) and start < heard["id"] < FAR
    # the JSON list answers the same cursor for a poller
    listed = http.get("/api/v1/events/list", headers=sup, params={"after": FAR}).json()
    assert listed["events"] == [] and heard["id"] <= listed["last_event_id"] < FAR
