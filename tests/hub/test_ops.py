"""Operations: health, readiness, the manifest and file permissions, clean SIGTERM."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest
from hub_proc import HubProc, PgCluster, hub_cli, hub_env, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess


def test_healthz_and_readyz(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    r = http.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready", r.text


def test_manifest_and_private_files(hub: HubProc) -> None:
    manifest = json.loads((hub.data_dir / "hub.json").read_text())
    assert {"base_url", "pid", "database"} <= set(manifest)
    assert manifest["pid"] == hub.process.pid
    assert stat.S_IMODE(hub.data_dir.stat().st_mode) == 0o700
    names = ["hub.json"]
    if manifest["database"] == "sqlite":  # the embedded default makes its own admin token
        names += ["hub.db", "master.key", "admin.token"]
        assert "admin_token" in manifest
    else:  # a shared database: the token is given (never written into the manifest)
        assert "admin_token" not in manifest and not (hub.data_dir / "admin.token").exists()
    for name in names:
        mode = stat.S_IMODE((hub.data_dir / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))


def test_logs_are_json_without_tokens(hub: HubProc, http: httpx.Client) -> None:
    http.post("/api/v1/sessions", json={"mode": "password", "email": "nobody@x.test",
                                        "password": "hunter2-secret"})
    http.get("/api/v1/me", headers={"Authorization": "Bearer some-bearer-token-value"})
    text = hub.log()
    lines = [json.loads(ln) for ln in text.splitlines() if ln.startswith("{")]
    assert any(ln.get("logger") == "teller_hub.access" and ln.get("path") == "/api/v1/me"
               for ln in lines)
    assert "hunter2-secret" not in text and "some-bearer-token-value" not in text
    assert hub.admin_token not in text


def test_readyz_503_until_migrated(hub_db: str | None, request: pytest.FixtureRequest,
                                   tmp_path: Path, sandbox: SandboxProcess) -> None:
    """On PostgreSQL ``serve`` does not migrate: /readyz says so until ``teller-hub migrate``."""
    if hub_db is None:
        pytest.skip("SQLite migrates on serve")
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database("unmigrated")
    proc = start_hub(tmp_path / "hub", hub_env(sandbox, url))
    try:
        with proc.client() as c:
            r = c.get("/readyz")
            assert r.status_code == 503 and "migrate" in r.json()["error"]
            assert hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url}).returncode == 0
            assert c.get("/readyz").status_code == 200
    finally:
        assert proc.stop() == 0


def test_sigterm_stops_cleanly(hub_db: str | None, tmp_path: Path,
                               sandbox: SandboxProcess) -> None:
    if hub_db is not None:
        pytest.skip("process lifecycle does not depend on the database")
    proc = start_hub(tmp_path / "hub", hub_env(sandbox, None))
    with proc.client() as c:
        assert c.get("/healthz").status_code == 200
    assert proc.stop() == 0
    assert "hub stopped" in proc.log()
