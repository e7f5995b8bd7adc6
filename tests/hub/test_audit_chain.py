"""The hub's audit chain: append-only (triggers; PostgreSQL also TRUNCATE), serialised
across two hub processes, and truncation, deletion and rewrites detected against an archived
daily head. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fe_helpers import start_fe_hub
from hub_proc import HubProc, PgCluster, add_employee, branches, hub_cli, sign_in
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.audit import GENESIS, entry_hash


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of each dialect."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    else:
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("audit")
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    return url


@pytest.fixture()
def pair(scratch: str, sandbox: SandboxProcess,
         tmp_path: Path) -> Iterator[tuple[HubProc, HubProc]]:
    env = {"TELLER_HUB_DATABASE_URL": scratch, "TELLER_HUB_WATCH": "0",
           "TELLER_HUB_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
           "TELLER_HUB_ADMIN_TOKEN": "audit-admin-" + uuid.uuid4().hex}
    a = start_fe_hub(tmp_path / "a", sandbox, scratch, **env)
    try:
        b = start_fe_hub(tmp_path / "b", sandbox, scratch, **env)
    except BaseException:
        a.stop()
        raise
    yield a, b
    assert b.stop() == 0 and a.stop() == 0


def sql(url: str, *statements: str) -> list[Any]:
    """Run statements in one transaction as the database owner (the attacker's view)."""
    async def run() -> list[Any]:
        engine = create_async_engine(url)
        out = []
        try:
            async with engine.begin() as conn:
                for s in statements:
                    result = await conn.execute(sa.text(s))
                    out.append(result.all() if result.returns_rows else result.rowcount)
        finally:
            await engine.dispose()
        return out
    return asyncio.run(run())


def _append(hub: HubProc, headers: dict[str, str], n: int, tag: str) -> None:
    with hub.client() as c:
        for i in range(n):
            r = c.post("/api/v1/audit", headers=headers, json={
                "desk_id": f"desk-{tag}", "entries": [
                    {"action": "edit", "entity": f"customer:{tag}-{i}",
                     "detail": {"field": "phone", "n": i}}]})
            assert r.status_code == 200, r.text


def _verify(hub: HubProc, head: dict[str, Any] | None = None) -> dict[str, Any]:
    params = {"head_seq": head["seq"], "head_hash": head["hash"]} if head else {}
    with hub.client() as c:
        r = c.get("/api/v1/audit/verify", params=params,
                  headers={"Authorization": f"Bearer {hub.admin_token}"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _rechain(url: str, start: int) -> None:
    """What an attacker with the owner's rights does after editing: recompute the hashes."""
    rows = sql(url, f"SELECT seq, ts_ms, actor, desk_id, branch_guid, action, entity, detail "
                    f"FROM audit_log WHERE seq >= {start - 1} ORDER BY seq")[0]
    prev = GENESIS
    updates = []
    for r in rows:
        if r.seq == start - 1:
            prev = sql(url, f"SELECT hash FROM audit_log WHERE seq = {r.seq}")[0][0][0]
            continue
        rec = {"seq": r.seq, "ts_ms": r.ts_ms, "actor": r.actor, "desk_id": r.desk_id,
               "branch_guid": r.branch_guid, "action": r.action, "entity": r.entity,
               "detail": json.loads(r.detail)}
        digest = entry_hash(prev, rec)
        updates.append(f"UPDATE audit_log SET prev_hash = '{prev}', hash = '{digest}' "
                       f"WHERE seq = {r.seq}")
        prev = digest
    sql(url, *_untriggered(url, updates))


def _untriggered(url: str, statements: list[str]) -> list[str]:
    if url.startswith("postgresql"):
        return ["ALTER TABLE audit_log DISABLE TRIGGER USER", *statements,
                "ALTER TABLE audit_log ENABLE TRIGGER USER"]
    return ["DROP TRIGGER IF EXISTS audit_log_no_update",
            "DROP TRIGGER IF EXISTS audit_log_no_delete", *statements]


def test_append_only_and_tampering_detected(pair: tuple[HubProc, HubProc], scratch: str,
                                            sandbox: SandboxProcess, tmp_path: Path) -> None:
    a, b = pair
    b0 = branches(sandbox)[0]
    with a.client() as http:
        teller = sign_in(http, add_employee(http, a, roles=["Teller"], branch_guid=b0))
        sup = sign_in(http, add_employee(http, a, roles=["Supervisor"], branch_guid=b0))
    # two processes append at once: one chain, no fork, no gap
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda x: _append(x[0], teller, 15, x[1]), [(a, "a"), (b, "b")]))
    own = 4  # the hub's own entries: two employees added, two sign-ins
    verdict = _verify(b)
    assert verdict["ok"] and verdict["count"] == 30 + own, verdict
    # client_id: a desk's outbox retry is not appended twice
    with a.client() as c:
        item = {"action": "cash", "entity": "till:1", "client_id": "outbox-" + uuid.uuid4().hex}
        first = c.post("/api/v1/audit", headers=teller, json={"entries": [item]}).json()
        again = c.post("/api/v1/audit", headers=teller, json={"entries": [item]}).json()
        assert first == again
        mine = c.get("/api/v1/audit", headers=teller, params={"limit": 1000}).json()["entries"]
        assert len(mine) == 31 + 1 and {e["branch_guid"] for e in mine} == {b0}  # + sign-in
        assert len(c.get("/api/v1/audit", headers=sup,
                         params={"limit": 1000}).json()["entries"]) == 31 + own
    # IT archives the head (CLI and endpoint agree)
    out = tmp_path / "head.json"
    r = hub_cli("audit", "export-head", "--out", str(out), "--data", str(a.data_dir),
                env=a.env)
    assert r.returncode == 0, r.stderr
    head = json.loads(out.read_text())
    assert head["seq"] == 31 + own and (out.stat().st_mode & 0o777) == 0o600
    with a.client() as c:
        today = c.get("/api/v1/audit/head", headers=sup).json()
    assert (today["seq"], today["hash"]) == (head["seq"], head["hash"])
    assert _verify(a, head)["ok"]
    # append-only: the hub's own database refuses changes
    for statement in ("UPDATE audit_log SET actor = 'x' WHERE seq = 5",
                      "DELETE FROM audit_log WHERE seq = 5"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            sql(scratch, statement)
    if scratch.startswith("postgresql"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            sql(scratch, "TRUNCATE audit_log")
    # a rewrite with the chain recomputed passes a walk, not the archived head
    sql(scratch, *_untriggered(scratch, [
        "UPDATE audit_log SET detail = '{\"field\":\"tampered\"}' WHERE seq = 20"]))
    assert not _verify(a)["ok"]
    _rechain(scratch, 20)
    assert _verify(a)["ok"]
    rewritten = _verify(a, head)
    assert not rewritten["ok"] and "archived head" in rewritten["problem"]
    # truncation: the tail is gone, the rest is a valid chain, the head shows it
    sql(scratch, *_untriggered(scratch, ["DELETE FROM audit_log WHERE seq > 25"]))
    assert _verify(a)["ok"]
    truncated = _verify(a, head)
    assert not truncated["ok"] and "truncated" in truncated["problem"]
    assert hub_cli("audit", "verify", "--head", str(out), "--data", str(a.data_dir),
                   env=a.env).returncode == 1
    # deletion in the middle: the walk itself fails
    sql(scratch, *_untriggered(scratch, ["DELETE FROM audit_log WHERE seq = 7"]))
    deleted = _verify(a)
    assert not deleted["ok"] and deleted["bad_seq"] == 7


def test_pg_migration_revokes_update_delete_from_the_app_role(pg_cluster: PgCluster) -> None:
    """Set ``TELLER_HUB_DB_APP_ROLE`` at ``migrate``: the hub's runtime role keeps INSERT and
    SELECT on the audit table but loses UPDATE, DELETE and TRUNCATE (even when the bank grants
    it everything by default)."""
    url = pg_cluster.create_database("grants")
    role = "hub_app_" + uuid.uuid4().hex[:8]
    sql(url, f"CREATE ROLE {role} LOGIN",
        f"ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO {role}")
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url, "TELLER_HUB_DB_APP_ROLE": role})
    assert r.returncode == 0, r.stderr
    rows = sql(url, *(f"SELECT has_table_privilege('{role}', '{table}', '{p}')"
                      for table in ("audit_log", "commands")
                      for p in ("INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE")))
    audit_privs = [row[0][0] for row in rows[:5]]
    assert audit_privs == [True, True, False, False, False]
    assert all(row[0][0] for row in rows[5:])  # other tables: as the bank granted
