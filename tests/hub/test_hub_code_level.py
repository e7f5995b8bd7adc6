"""A rolling upgrade whose release raises the control level (real hub processes on one
database, SQLite and PostgreSQL): once the newer release's ``migrate`` has run, a process of
this code still serving stops writing within seconds (503 ``hub_too_old``; the desk's
``HubUnavailable`` says nothing was done), stays readable, and is not ready; the newer
release's process writes on. ``migrate`` sets a fresh database to its code's level and never
lowers it; an SQLite hub below its code's level is raised at start. Below the level a
process's background writers pause too (the resume loop, the watchers: a review found they
kept writing), and its ``teller-hub`` write commands exit 2."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fe_db import scalar
from fe_helpers import fe_env, wait_for
from hub_proc import (
    PASSWORD,
    add_employee,
    database_admin_token,
    database_master_key,
    hub_cli,
    sign_in,
    start_hub,
)
from migrated_db import fresh_database, run_on_engine
from skewed_hub import skewed_cli, start_skewed_hub
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import api_version, migrate
from teller_app.hub.canon import canonical, sha256_hex
from teller_app.hub.code_level import LEVEL_TTL_S, CodeLevel, read_level
from teller_app.hub.db import now
from teller_app.hub.fe_tables import commands
from teller_app.hub.policy import Policy
from teller_app.platform.errors import HubUnavailable
from teller_app.platform.hub_client import HubClient

NEWER = api_version.HUB_CODE_LEVEL + 1


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _env(db_url: str) -> dict[str, str]:
    return {"TELLER_HUB_DATABASE_URL": db_url, "TELLER_HUB_LOG_LEVEL": "info",
            "TELLER_HUB_MASTER_KEY": base64.b64encode(database_master_key(db_url)).decode(),
            "TELLER_HUB_ADMIN_TOKEN": database_admin_token(db_url)}


def _level(db_url: str) -> int:
    found: list[int] = []

    async def body(engine: AsyncEngine) -> None:
        found.append(await read_level(engine))
    run_on_engine(db_url, body)
    return found[0]


def _set_level(db_url: str, level: int) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.execute(sa.text("UPDATE hub_code_level SET min_hub_code = :v"),
                               {"v": level})
    run_on_engine(db_url, body)


def _add(http: httpx.Client, admin: str) -> httpx.Response:
    return http.post("/api/v1/admin/employees", headers={"Authorization": f"Bearer {admin}"},
                     json={"email": f"e{time.monotonic_ns()}@hub.test", "name": "E",
                           "password": PASSWORD, "roles": ["Teller"], "head_office": True})


def _too_old(http: httpx.Client) -> bool:
    r = http.get("/readyz")
    return r.status_code == 503 and r.json().get("code") == "hub_too_old"


def _refused_within(http: httpx.Client, admin: str, seconds: float) -> httpx.Response:
    """A write once the process has read the raised level (polled on its ``/readyz``, a
    read: the process reads the level every LEVEL_TTL_S)."""
    wait_for(lambda: _too_old(http), timeout=seconds, interval=0.2)
    return _add(http, admin)


def test_a_newer_release_migrate_stops_this_release_writing(db_url: str,
                                                            tmp_path: Path) -> None:
    env = _env(db_url)
    admin = env["TELLER_HUB_ADMIN_TOKEN"]
    assert _level(db_url) == api_version.HUB_CODE_LEVEL  # migrate set a fresh database's
    old = start_hub(tmp_path / "old", env)
    new = None
    try:
        with old.client() as o:
            assert o.get("/readyz").status_code == 200
            email = add_employee(o, old, head_office=True)  # it writes before the migrate
            who = sign_in(o, email)
            ran = skewed_cli("migrate", env=env, level=NEWER)  # the newer release's
            assert ran.returncode == 0, ran.stderr
            assert _level(db_url) == NEWER
        # the newer release's process beside it (an SQLite one would have migrated itself)
        new = start_skewed_hub(tmp_path / "new", env, level=NEWER)
        with old.client() as o, new.client() as n:
            refused = _refused_within(o, admin, LEVEL_TTL_S + 5)
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "hub_too_old"
            assert refused.headers["X-Teller-Hub-Api"] == "1"
            assert o.get("/api/v1/me", headers=who).status_code == 200  # reads keep working
            ready = o.get("/readyz")
            assert ready.status_code == 503 and ready.json()["code"] == "hub_too_old"
            assert o.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                                    "password": PASSWORD}).status_code == 503
            # the newer process writes on, and is ready
            assert _add(n, admin).status_code == 200
            assert n.get("/readyz").json()["status"] == "ready"
            token = sign_in(n, email)["Authorization"].removeprefix("Bearer ")
        assert asyncio.run(_desk_write_refused(old.base_url, token)) == "hub_too_old"
        told = [json.loads(ln) for ln in old.log().splitlines() if "requires a newer hub"
                in ln]
        assert [t["min_hub_code"] for t in told] == [NEWER]  # once

        # this release's migrate after it: nothing lowered
        again = hub_cli("migrate", env=env)
        assert again.returncode == 0, again.stderr
        assert _level(db_url) == NEWER
    finally:
        assert old.stop() == 0
        assert new is None or new.stop() == 0


async def _desk_write_refused(base_url: str, token: str) -> str | None:
    """A desk signed in on the newer process (sessions are rows) writes through the old one."""
    async with HubClient(base_url) as desk:
        desk.token = token
        with pytest.raises(HubUnavailable) as refused:
            await desk.append_audit([{"action": "other", "entity": "level"}], desk_id="d")
        return refused.value.reason


def test_migrate_raises_a_lower_level_and_sqlite_start_too(db_url: str,
                                                          tmp_path: Path) -> None:
    env = _env(db_url)
    _set_level(db_url, 0)  # e.g. revision 0010 just ran, before migrate raised it
    ran = hub_cli("migrate", env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"migrated": migrate.head_revision()}
    assert _level(db_url) == api_version.HUB_CODE_LEVEL
    if not db_url.startswith("sqlite"):
        return
    _set_level(db_url, 0)
    assert not migrate.sqlite_at_head(db_url)  # at head, but below this code's level
    hub = start_hub(tmp_path / "hub", env)  # an SQLite hub migrates on start
    try:
        assert _level(db_url) == api_version.HUB_CODE_LEVEL
        assert migrate.sqlite_at_head(db_url)
    finally:
        assert hub.stop() == 0


def test_the_level_is_read_once_per_ttl_not_per_request(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        seen: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: seen.append(statement))
        level = CodeLevel(ttl=60)
        level.bind(engine)
        assert not any(await asyncio.gather(*(level.too_old() for _ in range(50))))
        assert len([s for s in seen if "hub_code_level" in s]) == 1
        async with engine.begin() as conn:
            await conn.execute(sa.text("UPDATE hub_code_level SET min_hub_code = :v"),
                               {"v": NEWER})
        assert not await level.too_old()  # within its ttl: as read
        fresh = CodeLevel(ttl=60)
        fresh.bind(engine)
        assert await fresh.too_old() and await fresh.required() == NEWER
    run_on_engine(db_url, body)


def _stale_approved_policy_raise(db_url: str) -> str:
    """An approved policy request whose executor died (its marker 0): the resume loop of
    any process at the database's level applies it."""
    cid = str(uuid.uuid4())
    change = canonical(Policy(cash_threshold="12345.00").stored())

    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.execute(commands.insert().values(
                id=cid, kind="policy_update", customer_guid="", branch_guid=None,
                change_json=change, change_sha256=sha256_hex(change),
                before_json=json.dumps(Policy().stored()), maker="maker@hub.test",
                reason="level test", created_at=now(), state="approved",
                checker="checker@hub.test", checker_source="hub", decided_at=now(),
                execution_started_at=0))
    run_on_engine(db_url, body)
    return cid


def _paused(log: str) -> set[str]:
    return {json.loads(ln)["work"] for ln in log.splitlines()
            if "background work paused" in ln}


def test_a_process_below_the_level_pauses_its_background_writers(
        db_url: str, tmp_path: Path, sandbox: SandboxProcess) -> None:
    """Started below the database's level (as after a newer release's migrate): no approved
    request resumed, no watcher lease taken (nor its alerts and cursor written) until the
    level is back at this code's; then both go on."""
    _set_level(db_url, NEWER)
    cid = _stale_approved_policy_raise(db_url)
    env = {**_env(db_url), **fe_env(sandbox, db_url)}  # watchers on, resume every 0.5 s
    hub = start_hub(tmp_path / "old", env)
    state = "SELECT state FROM commands WHERE id = :id"
    held = "SELECT COUNT(*) FROM leases WHERE expires_at > :t"
    try:
        wait_for(lambda: _paused(hub.log()) >= {"resume", "watcher", "cash_watcher"})
        assert scalar(db_url, state, id=cid) == "approved"  # its first pass skipped it
        assert scalar(db_url, held, t=time.time()) == 0
        with hub.client() as http:
            assert _too_old(http)

        _set_level(db_url, api_version.HUB_CODE_LEVEL)  # e.g. a backup restored
        wait_for(lambda: scalar(db_url, state, id=cid) == "applied",
                 timeout=LEVEL_TTL_S + 15)
        wait_for(lambda: scalar(db_url, held, t=time.time()) == 2, timeout=LEVEL_TTL_S + 15)
        with hub.client() as http:
            got: dict[str, Any] = http.get("/readyz").json()
            assert got["status"] == "ready", got
        assert len([ln for ln in hub.log().splitlines()
                    if "background work paused" in ln]) == 3  # once each
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def test_cli_writes_are_refused_below_the_level(db_url: str) -> None:
    env = _env(db_url)
    _set_level(db_url, NEWER)
    added = hub_cli("employees", "add", "--email", "cli@hub.test", "--role", "Teller",
                    "--head-office", "--password-stdin", env=env, stdin=PASSWORD + "\n")
    assert added.returncode == 2, (added.returncode, added.stdout, added.stderr)
    assert "requires a newer hub" in added.stderr and "Traceback" not in added.stderr
    assert not added.stdout.strip()
    listed = hub_cli("employees", "list", env=env)  # a read still works
    assert listed.returncode == 0, listed.stderr
    assert "cli@hub.test" not in listed.stdout
