"""A rolling restart (SIGTERM) while a proxied write waits for DCM's answer: DCM has applied
it, so the desk gets DCM's answer, the audit has the write before (``event`` "sent") and
after ("answered"), and a moved customer's secret follows them, before the hub exits."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fe_db import scalar
from fe_helpers import fe_env, new_customer, read_customer, wait_for
from gated_proxy import GatedProxy, past_the_old_grace
from hub_proc import (
    HubProc,
    PgCluster,
    add_employee,
    branches,
    hub_cli,
    pg_bindir,
    sign_in,
    start_cluster,
    start_hub,
)

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import CustomerUpdate

pytestmark = pytest.mark.slow
EVENTS = ("sent", "answered", "unanswered", None)


@pytest.fixture()
def proxy(sandbox: SandboxProcess) -> Iterator[GatedProxy]:
    gate = GatedProxy(sandbox.base_url).start()
    yield gate
    gate.stop()


def _rows(hub: HubProc, guid: str) -> list[dict[str, Any]]:
    text = scalar(hub, "SELECT string_agg(detail, '|') FROM audit_log WHERE "
                  "action = 'proxy_write' AND entity = :e", e=f"customer:{guid}") \
        if "postgresql" in hub.env.get("TELLER_HUB_DATABASE_URL", "") else \
        scalar(hub, "SELECT group_concat(detail, '|') FROM audit_log WHERE "
               "action = 'proxy_write' AND entity = :e", e=f"customer:{guid}")
    rows = [json.loads(part) for part in text.split("|")] if text else []
    return sorted(rows, key=lambda r: EVENTS.index(r.get("event")))


def _kyiv_customer_with_a_secret(sandbox: SandboxProcess,
                                 hub: Any) -> tuple[str, str, str, dict[str, str]]:
    """Lviv, a new Kyiv customer (guid, login) whose secret the hub holds in Kyiv, and a
    head-office Administrator's headers (who will move the customer to Lviv)."""
    kyiv, lviv = branches(sandbox)[:2]
    guid = new_customer(sandbox, kyiv)
    login = read_customer(sandbox, guid).login
    with hub.client() as c:
        teller = sign_in(c, add_employee(c, hub, branch_guid=kyiv))
        r = c.post("/api/v1/secrets", json={"external_id": login, "branch_guid": kyiv},
                   headers=teller)
        assert r.status_code == 200 and r.json()["created"], r.text
        admin = sign_in(c, add_employee(c, hub, roles=["Administrator"], head_office=True))
    return lviv, guid, login, admin


def _move_held_at_dcm(hub: HubProc, sandbox: SandboxProcess, proxy: GatedProxy, guid: str,
                      lviv: str, admin: dict[str, str]
                      ) -> tuple[threading.Thread, dict[str, Any]]:
    """A desk's move of the customer to Lviv through the hub's proxy, on a thread; returns
    once DCM's answer is held at the gate (the thread ends when it is released)."""
    proxy.hold(guid)
    answer: dict[str, Any] = {}

    def move() -> None:
        with httpx.Client(base_url=hub.base_url, timeout=60) as c:
            try:
                r = c.put(f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}"
                          f"/customers/{guid}", json=CustomerUpdate(branch_guid=lviv).wire(),
                          headers=admin)
                answer.update(status=r.status_code, body=r.text)
            except httpx.HTTPError as exc:
                answer.update(status=type(exc).__name__)

    desk = threading.Thread(target=move)
    desk.start()
    assert proxy.held.wait(15), "DCM's answer never came"
    return desk, answer


def test_sigterm_while_dcm_answers_a_move_keeps_its_audit_and_secret(
        hub_db: str | None, sandbox: SandboxProcess, proxy: GatedProxy, tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "a", fe_env(sandbox, hub_db, TELLER_HUB_DCM_URL=proxy.url,
                                           TELLER_HUB_WATCH="0"))
    try:
        lviv, guid, login, admin = _kyiv_customer_with_a_secret(sandbox, hub)
        desk, answer = _move_held_at_dcm(hub, sandbox, proxy, guid, lviv, admin)
        # written ahead: the write is in the audit while DCM's answer is still on its way
        assert [r["event"] for r in _rows(hub, guid)] == ["sent"]
        hub.process.send_signal(signal.SIGTERM)
        past_the_old_grace(hub)
        proxy.release()
        desk.join(60)
        assert answer.get("status") == 200, answer
        assert hub.process.wait(30) == 0, hub.log()[-3000:]
    finally:
        hub.stop()
    assert read_customer(sandbox, guid).branch_guid == lviv
    rows = _rows(hub, guid)
    assert [(r["event"], r.get("dcm_status")) for r in rows] == [("sent", None),
                                                                  ("answered", 200)]
    assert rows[0]["body_sha256"] == rows[1]["body_sha256"]
    assert scalar(hub, "SELECT branch_guid FROM customer_secrets WHERE external_id = :x",
                  x=login) == lviv


@pytest.fixture()
def own_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL of this test's own: it is stopped and started again."""
    if pg_bindir() is None:
        pytest.skip("PostgreSQL binaries not found")
    cluster = start_cluster()
    yield cluster
    cluster.stop()


def _pg_ctl(cluster: PgCluster, *args: str) -> None:
    opts = (f"-p {cluster.port} -k {cluster.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200")
    r = cluster._run("pg_ctl", "-D", str(cluster.root / "db"), "-l", str(cluster.root / "log"),
                     "-w", "-o", opts, *args)
    assert r.returncode == 0, r.stderr


def test_the_database_down_while_dcm_answers_delays_the_bookkeeping_only(
        sandbox: SandboxProcess, proxy: GatedProxy, own_cluster: PgCluster,
        tmp_path: Path) -> None:
    url = own_cluster.create_database()
    assert hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url}).returncode == 0
    hub = start_hub(tmp_path / "a", fe_env(sandbox, url, TELLER_HUB_DCM_URL=proxy.url,
                                           TELLER_HUB_WATCH="0"))
    try:
        lviv, guid, login, admin = _kyiv_customer_with_a_secret(sandbox, hub)
        desk, answer = _move_held_at_dcm(hub, sandbox, proxy, guid, lviv, admin)
        _pg_ctl(own_cluster, "-m", "fast", "stop")
        proxy.release()  # DCM's answer arrives while the database is down
        desk.join(60)
        assert answer.get("status") == 200, answer  # DCM applied it: the desk is told so
        _pg_ctl(own_cluster, "start")
        wait_for(lambda: [r["event"] for r in _rows(hub, guid)] == ["sent", "answered"], 20)
        wait_for(lambda: scalar(hub, "SELECT branch_guid FROM customer_secrets "
                                     "WHERE external_id = :x", x=login) == lviv, 20)
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
