"""What IT meets running the operations guide (docs/OPERATIONS.md) by hand: a taken port
named, a restored embedded database made private again, the runtime role's audit grants
revoked by every ``migrate``, and no Alembic chatter on every command."""

from __future__ import annotations

import json
import os
import socket
import stat
import uuid
from pathlib import Path

import pytest
from hub_proc import PgCluster, hub_cli, start_hub


def test_serve_names_the_port_it_cannot_listen_on(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = hub_cli("serve", "--data", str(tmp_path / "hub"), "--port", str(port))
    assert r.returncode == 2, r.stderr
    assert f"cannot listen on 127.0.0.1 port {port}" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "hub" / "hub.json").exists()


def test_a_restored_embedded_database_is_made_private_again(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    first = start_hub(data, {})
    assert first.stop() == 0
    db = data / "hub.db"
    os.chmod(db, 0o644)  # a backup put back as `cp` or `mv` left it (Restore, step 2)
    again = start_hub(data, {})
    try:
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        for name in ("hub.db-wal", "hub.db-shm"):  # SQLite gives them the database's mode
            side = data / name
            if side.exists():
                assert stat.S_IMODE(side.stat().st_mode) == 0o600, name
    finally:
        assert again.stop() == 0
    assert "database file was readable by others: made 0600" in again.log()


def test_commands_do_not_log_alembic_plugins(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    assert hub_cli("migrate", "--data", str(data)).returncode == 0
    r = hub_cli("audit", "verify", "--data", str(data))
    assert r.returncode == 0, r.stderr
    assert "setup plugin" not in r.stderr, r.stderr


def _psql(cluster: PgCluster, database: str, sql: str) -> str:
    r = cluster._run("psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                     "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.mark.slow
def test_every_migrate_revokes_audit_changes_from_the_runtime_role(
        pg_cluster: PgCluster) -> None:
    url = pg_cluster.create_database("itrole")
    database = url.rsplit("/", 1)[1]
    role = f"hub_app_{uuid.uuid4().hex[:8]}"
    assert hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url}).returncode == 0
    # the runtime role named only after the first migration, or a restore's grants
    _psql(pg_cluster, database, f'CREATE ROLE "{role}"; GRANT SELECT, INSERT, UPDATE, '
          f'DELETE, TRUNCATE ON audit_log TO "{role}"')
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url,
                                "TELLER_HUB_DB_APP_ROLE": role})
    assert r.returncode == 0, r.stderr
    can = _psql(pg_cluster, database, "SELECT " + ", ".join(
        f"has_table_privilege('{role}', 'audit_log', '{p}')"
        for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")))
    assert can == "t|t|f|f|f", can
    bad = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url,
                                  "TELLER_HUB_DB_APP_ROLE": 'x"; DROP TABLE audit_log; --'})
    assert bad.returncode == 2 and "plain role name" in bad.stderr, bad.stderr
    assert _psql(pg_cluster, database, "SELECT count(*) >= 0 FROM audit_log") == "t"


def test_serve_refuses_a_tls_key_others_can_read(tmp_path: Path) -> None:
    from test_serve_hardening import _self_signed

    cert, key = _self_signed(tmp_path)
    key.chmod(0o644)
    r = hub_cli("serve", "--data", str(tmp_path / "hub"), "--tls-cert", str(cert),
                "--tls-key", str(key), env={"TELLER_HUB_DATABASE_URL": ""}, timeout=30)
    assert r.returncode == 2, r.stderr
    assert f"TLS key file {key} is readable by others (chmod 640 at most)" in r.stderr, r.stderr
    both = tmp_path / "hub.pem"  # key and chain in one file, no --tls-key
    both.write_bytes(key.read_bytes() + cert.read_bytes())
    both.chmod(0o660)  # its group may write it
    r = hub_cli("serve", "--data", str(tmp_path / "hub"), "--tls-cert", str(both),
                env={"TELLER_HUB_DATABASE_URL": ""}, timeout=30)
    assert r.returncode == 2 and "readable by others" in r.stderr, r.stderr
    assert not (tmp_path / "hub" / "hub.json").exists()
    # Debian's layout (root:ssl-cert 0640, the service user in the group) is taken
    from teller_app.hub.settings import require_private

    both.chmod(0o640)
    require_private(both, "TLS certificate file", group_reads=True)


def test_mark_restored_prints_one_shape_first_and_again(tmp_path: Path) -> None:
    """Restore, step 4, on the embedded SQLite hub with the CLI alone."""
    data = tmp_path / "hub"

    def cli(*args: str, stdin: str | None = None) -> str:
        r = hub_cli(*args, "--data", str(data), stdin=stdin)
        assert r.returncode == 0, r.stderr
        return r.stdout

    cli("employees", "add", "--email", "one@bank.test", "--role", "Teller", "--head-office",
        "--password-stdin", stdin="a long password\n")
    cli("audit", "export-head", "--out", str(tmp_path / "day1.json"))
    backup = (data / "hub.db").read_bytes()  # no hub runs: the file is the database
    cli("employees", "disable", "--email", "one@bank.test")
    cli("audit", "export-head", "--previous", str(tmp_path / "day1.json"),
        "--out", str(tmp_path / "day2.json"))
    for name in ("hub.db-wal", "hub.db-shm"):
        (data / name).unlink(missing_ok=True)
    (data / "hub.db").write_bytes(backup)
    first = json.loads(cli("audit", "mark-restored", "--last-head", str(tmp_path / "day2.json")))
    again = json.loads(cli("audit", "mark-restored", "--last-head", str(tmp_path / "day2.json")))
    assert first == again
    assert {"seq", "hash", "prev_hash", "ts_ms", "actor", "detail"} <= set(first)
    assert first["detail"]["event"] == "restored" and first["detail"]["last_head_seq"] == 2
    cli("audit", "export-head", "--previous", str(tmp_path / "day2.json"),
        "--out", str(tmp_path / "day3.json"))
