"""Configuration mistakes are one line and exit 2: a config file holding the database password
must be private (or the password sits in its own 0600 file); a wrong password or a missing
database is the driver's reason without the password, never a traceback; a bad master key
is refused before ``serve`` binds its port or writes hub.json. Real CLI processes, a real
PostgreSQL with password authentication."""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from hub_proc import PgCluster, hub_cli

PASSWORD = "S3cret-" + uuid.uuid4().hex[:10]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return hub_cli(*args, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"teller-hub {args[0]} ran instead of refusing")


def _one_line(r: subprocess.CompletedProcess[str]) -> str:
    """The refusal: exit 2, no traceback; its last stderr line."""
    assert r.returncode == 2, (r.returncode, r.stderr[-3000:])
    assert "Traceback" not in r.stderr and PASSWORD not in r.stderr + r.stdout
    return r.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def password_role(pg_cluster: PgCluster) -> tuple[str, str]:
    """(role, database): a role that must give its password (scram), owning a database."""
    role = "pw_" + uuid.uuid4().hex[:8]
    hba = pg_cluster.root / "db" / "pg_hba.conf"
    hba.write_text(f"host all {role} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    url = pg_cluster.create_database("pwdb")
    database = url.rsplit("/", 1)[1]
    for statement in (f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'",
                      f'ALTER DATABASE "{database}" OWNER TO {role}', "SELECT pg_reload_conf()"):
        done = pg_cluster._run("psql", "-h", "127.0.0.1", "-p", str(pg_cluster.port),
                               "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", statement)
        assert done.returncode == 0, done.stderr
    return role, database


def test_a_config_holding_the_database_password_must_be_private(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'database_url = "postgresql+asyncpg://hub:{PASSWORD}@127.0.0.1:1/hub"\n')
    config.chmod(0o644)
    line = _one_line(_run("migrate", "--config", str(config), env={}))
    assert "readable by others" in line and str(config) in line
    config.chmod(0o600)  # private: read, and the database's refusal is one line
    assert "cannot connect to the database" in _one_line(
        _run("migrate", "--config", str(config), env={}))
    config.write_text('database_url = "postgresql+asyncpg://hub@127.0.0.1:1/hub"\n')
    config.chmod(0o644)  # no password in it: anyone may read it
    assert "cannot connect to the database" in _one_line(
        _run("migrate", "--config", str(config), env={}))


def test_database_refusals_are_one_line(pg_cluster: PgCluster, password_role: tuple[str, str],
                                        tmp_path: Path) -> None:
    role, database = password_role
    base = f"postgresql+asyncpg://{role}@127.0.0.1:{pg_cluster.port}"
    wrong = _one_line(_run("migrate", env={
        "TELLER_HUB_DATABASE_URL": f"{base.replace(role, role + ':Not-' + PASSWORD)}/{database}"}))
    assert wrong.startswith("teller-hub: cannot connect to the database: password "
                            "authentication failed"), wrong
    assert "Not-" not in wrong
    missing = _one_line(_run("migrate", env={
        "TELLER_HUB_DATABASE_URL": f"{base.replace(role, role + ':' + PASSWORD)}/no_such_db"}))
    assert "cannot connect to the database" in missing and "does not exist" in missing

    # the password in a file of its own (0600), the URL without it
    secret = tmp_path / "db.password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o644)
    env = {"TELLER_HUB_DATABASE_URL": f"{base}/{database}",
           "TELLER_HUB_DATABASE_PASSWORD_FILE": str(secret)}
    assert "readable by others" in _one_line(_run("migrate", env=env))
    secret.chmod(0o600)
    done = _run("migrate", env=env)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_bad_master_key_is_refused_before_binding(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    key = tmp_path / "master.key"
    env = {"TELLER_HUB_DATABASE_URL": "", "TELLER_HUB_MASTER_KEY": "",
           "TELLER_HUB_MASTER_KEY_FILE": str(key)}
    key.write_bytes(os.urandom(32))
    key.chmod(0o644)
    cases = {"readable by others": env}
    short = tmp_path / "short.key"
    short.write_bytes(os.urandom(31))
    short.chmod(0o600)
    cases["exactly 32 bytes"] = {**env, "TELLER_HUB_MASTER_KEY_FILE": str(short)}
    cases["not valid base64"] = {**env, "TELLER_HUB_MASTER_KEY": "not base64 %%"}
    cases["exactly 32 bytes "] = {**env, "TELLER_HUB_MASTER_KEY":
                                  base64.b64encode(os.urandom(16)).decode()}
    for why, case in cases.items():
        line = _one_line(_run("serve", "--data", str(data), "--port", "0", env=case))
        assert why.strip() in line, (why, line)
        assert not (data / "hub.json").exists() and not (data / "hub.db").exists()
