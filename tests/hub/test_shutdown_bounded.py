"""SIGTERM ends a hub within a bound even when a step of its shutdown would wait for long, and
its log names the step (``hub/shutdown_steps``). Real hub processes on real databases:

- PostgreSQL that stops answering without a refusal (a proxy holds every byte and keeps the
  sockets open): ``engine.dispose()`` closed each idle pooled connection by asking the server
  to end it and waiting for that, up to the statement timeout (15 s) one after another.
- SQLite whose file another process holds locked for writing: each watcher's lease release
  gave up after 3 s, but its rollback then queued behind the blocked write for SQLite's busy
  timeout (15 s), one release after the other. A release now waits 2 s for the lock at most
  (``hub/watcher``) and the step's bound stays behind it.

Either way the log ended at uvicorn's "Waiting for application shutdown." for half a minute
or more, and a supervisor's stop (here: the test's) killed the process."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fe_helpers import wait_for
from hold_proxy import HoldProxy
from hub_proc import HubProc, PgCluster, hub_cli, hub_env, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess

# the fixed shutdown: ~2 s per task cancelled in a query (SQLAlchemy's graceful close), 5 s for
# the overrunning step and 2 s for its cancels; without the bound it takes 30 s or more
BOUND_S = 20.0
IDLE_CONNECTIONS = 4  # more than the background tasks can take at shutdown (bus, resume)

pytestmark = pytest.mark.slow


def _sigterm_and_time(hub: HubProc) -> float:
    """Seconds from SIGTERM to the process's end (exit 0), or fail at the bound, killed."""
    t0 = time.monotonic()
    hub.process.send_signal(signal.SIGTERM)
    try:
        code = hub.process.wait(BOUND_S)
    except subprocess.TimeoutExpired:
        hub.process.kill()
        hub.process.wait(10)
        pytest.fail(f"the hub did not end within {BOUND_S} s of SIGTERM:\n"
                    f"{hub.log()[-3000:]}")
    assert code == 0, hub.log()[-3000:]
    return time.monotonic() - t0


def _overran(hub: HubProc, step: str) -> bool:
    return any('"shutdown step overran: cancelled"' in line and f'"step": "{step}"' in line
               for line in hub.log().splitlines())


@pytest.fixture()
def pg_behind_proxy(pg_cluster: PgCluster) -> Iterator[tuple[str, HoldProxy]]:
    url = pg_cluster.create_database("shutdown")
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    proxy = HoldProxy(pg_cluster.port)
    yield url.replace(f":{pg_cluster.port}/", f":{proxy.port}/"), proxy
    proxy.close()


def _hub_connections(cluster: PgCluster, url: str) -> int:
    database = url.rsplit("/", 1)[1]
    r = cluster._run("psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                     "-tAc", "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             f"'{database}' AND pid <> pg_backend_pid()")
    return int(r.stdout.strip() or 0)


def _fill_the_pool(hub: HubProc, cluster: PgCluster, url: str) -> None:
    """Requests at once until the hub's pool holds ``IDLE_CONNECTIONS`` connections."""
    def burst() -> None:
        start = threading.Barrier(IDLE_CONNECTIONS + 2)

        def one() -> None:
            with httpx.Client(base_url=hub.base_url, timeout=10) as http:
                start.wait(10)
                http.get("/readyz")

        threads = [threading.Thread(target=one) for _ in range(IDLE_CONNECTIONS + 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)

    def enough() -> bool:
        burst()
        return _hub_connections(cluster, url) >= IDLE_CONNECTIONS

    wait_for(enough, 30)


def test_a_database_that_stops_answering_does_not_hold_the_stop(
        sandbox: SandboxProcess, pg_cluster: PgCluster,
        pg_behind_proxy: tuple[str, HoldProxy],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    url, proxy = pg_behind_proxy
    env = {**hub_env(sandbox, url), "TELLER_HUB_WATCH": "0",
           "TELLER_HUB_SHUTDOWN_DRAIN_S": "2"}
    hub = start_hub(tmp_path_factory.mktemp("pg-held-hub"), env)
    try:
        _fill_the_pool(hub, pg_cluster, url.replace(f":{proxy.port}/", f":{pg_cluster.port}/"))
        proxy.hold()  # from here no byte reaches PostgreSQL, no socket is closed
        took = _sigterm_and_time(hub)
    finally:
        hub.stop()
    assert _overran(hub, "database engine dispose"), hub.log()[-3000:]
    assert "hub stopped" in hub.log(), took


@pytest.fixture()
def sqlite_hub(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[HubProc]:
    env = {**hub_env(sandbox, None), "TELLER_HUB_WATCH": "1",
           # after its first pass (the lease taken) a watcher sleeps through the test
           "TELLER_HUB_WATCH_INTERVAL_S": "300", "TELLER_HUB_SHUTDOWN_DRAIN_S": "2"}
    hub = start_hub(tmp_path_factory.mktemp("sqlite-locked-hub"), env)
    yield hub
    hub.stop()


def test_a_database_file_locked_by_another_process_does_not_hold_the_stop(
        sqlite_hub: HubProc) -> None:
    hub = sqlite_hub
    db = hub.data_dir / "hub.db"
    with contextlib.closing(sqlite3.connect(db, isolation_level=None, timeout=30)) as lock:
        # both watchers' first passes over (their cursors saved): they sleep from here
        wait_for(lambda: {row[0] for row in lock.execute(
            "SELECT name FROM leases WHERE expires_at > ? AND cursor IS NOT NULL",
            (time.time(),))} >= {"watcher", "cash_watcher"}, 30)
        lock.execute("BEGIN IMMEDIATE")  # another process writing: the hub's writes wait
        took = _sigterm_and_time(hub)
        lock.execute("ROLLBACK")
    log = hub.log()
    lines = log.splitlines()
    for lease in ("watcher", "cash_watcher"):  # given up by the release itself, not its bound
        assert any('"watcher lease not released"' in line and f'"lease": "{lease}"' in line
                   for line in lines), log[-3000:]
        assert not _overran(hub, f"{lease} lease release"), log[-3000:]
    assert "hub stopped" in log, took
