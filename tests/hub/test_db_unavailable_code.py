"""The hub's database fails: a request that had changed nothing is answered 503 "the hub
database is unavailable" with ``"code": "database_unavailable"`` (nothing was done: the
desk's ``HubClient`` carries the code and the desk says to try again), and a request that had
committed something first gets the 503 without the code (its outcome is in doubt).

Real hub processes on SQLite and PostgreSQL: SQLite's file on a small tmpfs that is filled
(a full disk: the commit fails, and SQLite rolls it back; needs root, else skipped),
PostgreSQL behind a TCP proxy that stops forwarding (a lost database). After a commit: a
trigger that refuses audit rows (sign-out deletes the session, then its audit row fails)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fs_faults import fill, small_fs
from hold_proxy import HoldProxy
from hub_proc import HubProc, PgCluster, add_employee, hub_cli, hub_env, sign_in, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import HubUnavailable, RetryPolicy
from teller_app.platform.errors import DATABASE_UNAVAILABLE
from teller_app.platform.hub_client import HubClient

pytestmark = pytest.mark.slow
TEXT = "the hub database is unavailable"
NOTHING_DONE = {"error": TEXT, "code": "database_unavailable"}
IN_DOUBT = {"error": TEXT}
ONCE = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)


@dataclass
class World:
    hub: HubProc
    down: Callable[[], None]  # the database becomes unavailable
    up: Callable[[], None]
    sql: Callable[[str], None]  # run SQL on the hub's database (the test's own connection)
    refuse_audit: str  # SQL: a trigger that refuses every new audit row
    allow_audit: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("db-unavailable")
    if request.param == "sqlite":
        yield from _sqlite_world(base, sandbox)
    else:
        yield from _pg_world(request.getfixturevalue("pg_cluster"), base, sandbox)


def _sqlite_world(base: Path, sandbox: SandboxProcess) -> Iterator[World]:
    with small_fs(base, "16m") as fs:
        db = fs / "hub.db"
        hub = start_hub(base / "hub", hub_env(sandbox, f"sqlite+aiosqlite:///{db}"))
        fillers: list[Path] = []

        def sql(text: str) -> None:
            with sqlite3.connect(db) as conn:
                conn.executescript(text)

        try:
            yield World(hub, lambda: fillers.append(fill(fs)),
                        lambda: fillers.pop().unlink(), sql,
                        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
                        "DROP TRIGGER refuse_audit;")
        finally:
            for filler in fillers:
                filler.unlink()
            assert hub.stop() == 0, hub.log()[-2000:]


def _pg_world(cluster: PgCluster, base: Path, sandbox: SandboxProcess) -> Iterator[World]:
    url = cluster.create_database("dbcode")
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    proxy = HoldProxy(cluster.port)
    env = hub_env(sandbox, url.replace(f":{cluster.port}/", f":{proxy.port}/"))
    env.update({"TELLER_HUB_DB_COMMAND_TIMEOUT_S": "3", "TELLER_HUB_DB_CONNECT_TIMEOUT_S": "2",
                "TELLER_HUB_DB_POOL_TIMEOUT_S": "2"})
    hub = start_hub(base / "hub", env)

    def sql(text: str) -> None:
        done = cluster._run("psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U",
                            "postgres", "-d", url.rsplit("/", 1)[1], "-v", "ON_ERROR_STOP=1",
                            "-c", text)
        assert done.returncode == 0, done.stderr

    try:
        yield World(hub, proxy.hold, proxy.release, sql,
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit();",
                    "DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit();")
    finally:
        proxy.release()
        hub.stop()
        proxy.close()


def _until(cond: Callable[[], Any], deadline_s: float, what: str) -> None:
    end = time.monotonic() + deadline_s
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline_s} s: {what}")
        threading.Event().wait(0.1)


def _entry(marker: str) -> dict[str, Any]:
    return {"desk_id": "desk-1", "entries": [{"client_id": uuid.uuid4().hex, "action": "other",
                                              "entity": "", "detail": {"event": marker}}]}


def _teller(hub: HubProc, http: httpx.Client) -> dict[str, str]:
    return sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid="b-1"))


async def _desk_append(hub: HubProc, headers: dict[str, str], body: dict[str, Any]) -> Any:
    async with HubClient(hub.base_url, retry=ONCE) as client:
        client.token = headers["Authorization"].removeprefix("Bearer ")
        return await client.call("POST", "/api/v1/audit", json_body=body, desk_id="desk-1")


def test_a_write_the_database_failed_first_did_nothing(world: World) -> None:
    with httpx.Client(base_url=world.hub.base_url, timeout=60) as http:
        headers = _teller(world.hub, http)
        assert http.post("/api/v1/audit", headers=headers,
                         json=_entry("before")).status_code == 200
        lost = f"lost-{uuid.uuid4().hex[:8]}"
        world.down()
        try:
            r = http.post("/api/v1/audit", headers=headers, json=_entry(lost))
            assert r.status_code == 503 and r.json() == NOTHING_DONE, r.text
            with pytest.raises(HubUnavailable) as info:  # what the desk makes of it
                asyncio.run(_desk_append(world.hub, headers, _entry(lost)))
            assert info.value.status_code == 503
            assert info.value.reason == DATABASE_UNAVAILABLE
        finally:
            world.up()
        _until(lambda: http.get("/api/v1/me", headers=headers).status_code == 200, 30,
               "the hub serves again once its database is back")
        trail = http.get("/api/v1/audit", headers=headers, params={"newest_first": "true"})
        assert trail.status_code == 200 and "before" in trail.text
        assert lost not in trail.text  # nothing was done
        assert http.post("/api/v1/audit", headers=headers, json=_entry(lost)).status_code == 200


def test_a_failure_after_a_commit_is_in_doubt(world: World) -> None:
    with httpx.Client(base_url=world.hub.base_url, timeout=60) as http:
        headers = _teller(world.hub, http)
        world.sql(world.refuse_audit)
        try:
            # nothing committed before its audit row failed: nothing done
            r = http.post("/api/v1/audit", headers=headers, json=_entry("refused"))
            assert r.status_code == 503 and r.json() == NOTHING_DONE, r.text
            # sign-out: the session's deletion committed, then its audit row failed
            r = http.delete("/api/v1/sessions", headers=headers)
            assert r.status_code == 503 and r.json() == IN_DOUBT, r.text
        finally:
            world.sql(world.allow_audit)
        assert http.get("/api/v1/me", headers=headers).status_code == 401  # it was done
