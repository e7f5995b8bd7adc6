"""Stateless scale-out: two hub processes on one PostgreSQL serve the same desks."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_proc import (
    DcmSigner,
    HubProc,
    PgCluster,
    add_employee,
    branches,
    hub_cli,
    hub_env,
    sign_in,
    start_hub,
)

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="module")
def pair(pg_cluster: PgCluster, sandbox: SandboxProcess,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProc, HubProc]]:
    url = pg_cluster.create_database("pair")
    assert hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url}).returncode == 0
    env = hub_env(sandbox, url, master_key=os.urandom(32))
    env["TELLER_HUB_ADMIN_TOKEN"] = "shared-admin-" + uuid.uuid4().hex
    a = start_hub(tmp_path_factory.mktemp("hub-a"), env)
    try:
        b = start_hub(tmp_path_factory.mktemp("hub-b"), env)
    except BaseException:
        a.stop()
        raise
    yield a, b
    assert b.stop() == 0 and a.stop() == 0
    assert not any(Path(p.data_dir / "master.key").exists() for p in (a, b))


def test_session_from_one_works_on_the_other(pair: tuple[HubProc, HubProc],
                                             sandbox: SandboxProcess) -> None:
    a, b = pair
    with a.client() as ca, b.client() as cb:
        email = add_employee(ca, a, branch_guid=branches(sandbox)[0])
        headers = sign_in(ca, email)
        assert cb.get("/api/v1/me", headers=headers).json()["email"] == email
        assert cb.delete("/api/v1/sessions", headers=headers).status_code == 200
        assert ca.get("/api/v1/me", headers=headers).status_code == 401


def test_secret_issued_on_one_is_read_by_the_other(pair: tuple[HubProc, HubProc],
                                                   sandbox: SandboxProcess,
                                                   dcm: DcmSigner) -> None:
    a, b = pair
    ext = f"cust.{uuid.uuid4().hex[:10]}@example.ua"
    with a.client() as ca, b.client() as cb:
        headers = sign_in(ca, add_employee(ca, a, branch_guid=branches(sandbox)[0]))
        assert ca.post("/api/v1/secrets", json={"external_id": ext,
                                                "branch_guid": branches(sandbox)[0]},
                       headers=headers).json()["created"] is True
        ka = ca.get("/key", headers={"X-Session-ID": dcm.token("teller.kyiv@demo.bank", ext)})
        kb = cb.get("/key", headers={"X-Session-ID": dcm.token("teller.kyiv@demo.bank", ext)})
        assert ka.status_code == kb.status_code == 200
        assert ka.json() == kb.json()


def test_concurrent_issue_across_processes(pair: tuple[HubProc, HubProc],
                                           sandbox: SandboxProcess) -> None:
    a, b = pair
    kyiv = branches(sandbox)[0]
    with a.client() as ca:
        headers = sign_in(ca, add_employee(ca, a, branch_guid=kyiv))
    exts = [f"race.{uuid.uuid4().hex[:10]}@example.ua" for _ in range(5)]

    async def race() -> dict[str, list[bool]]:
        async with httpx.AsyncClient(base_url=a.base_url, timeout=20) as xa, \
                httpx.AsyncClient(base_url=b.base_url, timeout=20) as xb:
            calls = [(ext, c.post("/api/v1/secrets", json={"external_id": ext,
                                                           "branch_guid": kyiv},
                                  headers=headers))
                     for ext in exts for c in (xa, xb, xa, xb, xa, xb)]
            answers = await asyncio.gather(*(call for _, call in calls))
        out: dict[str, list[bool]] = {}
        for (ext, _), r in zip(calls, answers, strict=True):
            assert r.status_code == 200, r.text
            out.setdefault(ext, []).append(r.json()["created"])
        return out

    for ext, created in asyncio.run(race()).items():
        assert created.count(True) == 1, (ext, created)
