"""The hub's database stops answering while an approved change is on its way to DCM (a proxy
in front of DCM holds the PUT, one in front of PostgreSQL stops forwarding meanwhile): DCM
applies it, and the hub records the request's end once the database answers again, within
seconds, still holding its execution lease. It used to answer the approver 503 at once and
leave the request "approved" until another process took the stale execution over (~74 s).
Real hub, sandbox and PostgreSQL; two TCP proxies."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_helpers import fe_env, new_customer, read_customer
from hold_proxy import HoldProxy
from hub_proc import HubProc, PgCluster, add_employee, branches, hub_cli, sign_in, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess

pytestmark = pytest.mark.slow
PUT_DELAY_S = 3.0
SETTLED_WITHIN_S = 15  # after the database answers again (the retry backs off to 5 s)


@pytest.fixture()
def world(pg_cluster: PgCluster, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[HubProc, HoldProxy, HoldProxy]]:
    url = pg_cluster.create_database("blip")
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    pg = HoldProxy(pg_cluster.port)
    dcm_port = int(sandbox.base_url.rstrip("/").rsplit(":", 1)[1])
    dcm = HoldProxy(dcm_port)
    env = fe_env(sandbox, url.replace(f":{pg_cluster.port}/", f":{pg.port}/"),
                 TELLER_HUB_WATCH="0", TELLER_HUB_RESUME_INTERVAL_S="15",
                 TELLER_HUB_DB_COMMAND_TIMEOUT_S="2", TELLER_HUB_DB_CONNECT_TIMEOUT_S="2",
                 TELLER_HUB_DB_POOL_TIMEOUT_S="2")
    env["TELLER_HUB_DCM_URL"] = f"http://127.0.0.1:{dcm.port}"
    hub = start_hub(tmp_path_factory.mktemp("hub-blip"), env)
    yield hub, pg, dcm
    pg.release()
    hub.stop()
    pg.close()
    dcm.close()


def _until(cond: Any, deadline_s: float, what: str) -> None:
    end = time.monotonic() + deadline_s
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline_s} s: {what}")
        threading.Event().wait(0.1)


def test_the_end_is_recorded_once_the_database_is_back(
        world: tuple[HubProc, HoldProxy, HoldProxy], sandbox: SandboxProcess) -> None:
    hub, pg, dcm = world
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
        teller = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=b0))
        guid = new_customer(sandbox, b0)
        r = http.post("/api/v1/requests", headers=teller, json={
            "kind": "customer_update", "customer_guid": guid, "reason": "blip",
            "change": {"status": "blocked", "is_disabled": True}})
        assert r.status_code == 201, r.text
        req = r.json()
    answer: dict[str, Any] = {}

    def approve() -> None:
        with httpx.Client(base_url=hub.base_url, timeout=120) as c:
            got = c.post(f"/api/v1/requests/{req['id']}/approve", headers=sup,
                         json={"sha256": req["sha256"]})
        answer.update(status=got.status_code, body=got.json(), at=time.monotonic())

    dcm.put_delay = PUT_DELAY_S
    approver = threading.Thread(target=approve, daemon=True)
    approver.start()
    _until(dcm.put_seen.is_set, 30, "the change on its way to DCM")
    log_at = len(hub.log())
    pg.hold()
    try:
        _until(dcm.put_sent.is_set, 10, "the change sent on to DCM")
        # the hub tried to record the end and the database did not answer
        _until(lambda: bool(answer) or "request end not recorded yet" in hub.log()[log_at:],
               30, "the hub's attempt to record the end")
    finally:
        pg.release()
        released = time.monotonic()
    approver.join(60)
    assert answer, "the approver got no answer"
    assert answer["status"] == 200, answer
    assert answer["body"]["state"] == "applied", answer
    assert answer["at"] - released < SETTLED_WITHIN_S, answer["at"] - released
    shown = read_customer(sandbox, guid)
    assert shown.is_disabled is True  # DCM applied it (once: the hub sent one PUT)
    with hub.client() as http:
        got = http.get(f"/api/v1/requests/{req['id']}", headers=sup).json()
    assert got["state"] == "applied", got
