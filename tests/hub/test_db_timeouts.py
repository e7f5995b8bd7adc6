"""PostgreSQL unreachable without a refusal (a proxy in front of it stops forwarding and keeps
the sockets open): the hub answers 503 "database unavailable" within its pool, connect and
statement timeouts instead of hanging for the whole outage, /readyz says 503, and an event
stream stays open through the outage (pings go on) instead of ending with a broken body.
Real hub process, real PostgreSQL, a real TCP proxy; the timeouts are set short."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hold_proxy import HoldProxy
from hub_proc import HubProc, PgCluster, add_employee, hub_cli, hub_env, sign_in, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess

COMMAND_S, CONNECT_S, POOL_S = 3, 2, 2
# the longest a request may wait: a pooled connection's ping runs out, then a new connection
BOUND_S = COMMAND_S + CONNECT_S + POOL_S + 3

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def proxied(pg_cluster: PgCluster, sandbox: SandboxProcess,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProc, HoldProxy]]:
    url = pg_cluster.create_database("timeouts")
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    proxy = HoldProxy(pg_cluster.port)
    env = hub_env(sandbox, url.replace(f":{pg_cluster.port}/", f":{proxy.port}/"))
    env.update({"TELLER_HUB_DB_COMMAND_TIMEOUT_S": str(COMMAND_S),
                "TELLER_HUB_DB_CONNECT_TIMEOUT_S": str(CONNECT_S),
                "TELLER_HUB_DB_POOL_TIMEOUT_S": str(POOL_S)})
    hub = start_hub(tmp_path_factory.mktemp("hub-timeouts"), env)
    yield hub, proxy
    proxy.release()
    hub.stop()
    proxy.close()


def _until(cond: Any, deadline_s: float, what: str) -> Any:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if (got := cond()):
            return got
        threading.Event().wait(0.1)
    raise AssertionError(f"not within {deadline_s} s: {what}")


def _supervisor(hub: HubProc) -> dict[str, str]:
    with hub.client() as http:
        return sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid="b-1"))


def test_requests_answer_503_within_the_timeouts(proxied: tuple[HubProc, HoldProxy]) -> None:
    hub, proxy = proxied
    headers = _supervisor(hub)
    with httpx.Client(base_url=hub.base_url, timeout=60) as http:
        assert http.get("/api/v1/me", headers=headers).status_code == 200
        proxy.hold()
        try:
            t0 = time.monotonic()
            r = http.get("/api/v1/me", headers=headers)
            took = time.monotonic() - t0
            assert r.status_code == 503 and r.json() == {  # a read: nothing was done
                "error": "the hub database is unavailable", "code": "database_unavailable"}, r.text
            assert took < BOUND_S, took
            t0 = time.monotonic()
            r = http.get("/readyz")
            # its own 2 s cap (app.READY_WITHIN_S), not the statement timeouts (~20 s)
            assert r.status_code == 503 and time.monotonic() - t0 < 8
        finally:
            proxy.release()
        _until(lambda: http.get("/api/v1/me", headers=headers).status_code == 200, 30,
               "the hub serves again once the database answers")


def test_event_stream_survives_an_outage(proxied: tuple[HubProc, HoldProxy]) -> None:
    """Past the stream's 30 s re-check of the employee, with the database still away."""
    hub, proxy = proxied
    headers = _supervisor(hub)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        try:
            with httpx.Client(base_url=hub.base_url, timeout=httpx.Timeout(10, read=120)) as c, \
                    c.stream("GET", "/api/v1/events", headers=headers) as r:
                for line in r.iter_lines():
                    lines.put(line)
        except httpx.HTTPError as exc:
            lines.put(f"!error {type(exc).__name__}")
        lines.put(None)  # the stream ended

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    _until(lambda: _next_line(lines, "event: ready"), 10, "the stream's ready event")
    log_at = len(hub.log())
    proxy.hold()
    try:
        # the stream must not end meanwhile (it did: an exception inside the open stream)
        _until(lambda: not _next_line(lines, "\0") and
               "event stream: database error" in hub.log()[log_at:], 30 + BOUND_S + 10,
               "the stream's warning that the database is away")
    finally:
        proxy.release()
    # still open: a ping after the outage (every 15 s), and no end of the stream before it
    _until(lambda: _next_line(lines, ": ping"), 40, "a ping after the outage")
    assert "response already started" not in hub.log()[log_at:]


def _next_line(lines: queue.Queue[str | None], prefix: str) -> bool:
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            return False
        if line is None or line.startswith("!error"):
            raise AssertionError(f"the event stream ended: {line}")
        if line.startswith(prefix):
            return True
