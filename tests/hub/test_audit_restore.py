"""A legitimate restore from a backup, said in the audit chain: the restored chain no longer
reaches the last archived head, so ``export-head --previous`` refuses it until
``teller-hub audit mark-restored --last-head FILE`` records the restore (once, audited); then
the same ``--previous`` is accepted and the next day's export is ordinary. A restore nobody
marked, a head no marker names and a chain whose own hash walk fails are still refused.
Real CLI processes; the backup is ``VACUUM INTO`` on SQLite and a copied database on
PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hub_proc import PASSWORD, PgCluster, hub_cli
from migrated_db import fresh_database
from test_audit_chain import _untriggered, sql

EMAIL = "restored.teller@hub.test"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _backup(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An online backup of ``db_url`` as OPERATIONS.md says, as a database of its own."""
    if db_url.startswith("sqlite"):
        copy = tmp_path / "backup.db"
        conn = sqlite3.connect(db_url.split(":///", 1)[1])
        try:
            conn.execute("VACUUM INTO ?", (str(copy),))
        finally:
            conn.close()
        return f"sqlite+aiosqlite:///{copy}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    source = db_url.rsplit("/", 1)[1]
    done = cluster._run("psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                        "-v", "ON_ERROR_STOP=1",
                        "-c", f'CREATE DATABASE "{source}_bak" TEMPLATE "{source}"')
    assert done.returncode == 0, done.stderr
    return f"{db_url}_bak"


def _hub(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return hub_cli(*args, env={"TELLER_HUB_DATABASE_URL": db_url})


def _toggle(db_url: str) -> None:
    """Two audit entries (the employee disabled and enabled again)."""
    for action in ("disable", "enable"):
        r = _hub(db_url, "employees", action, "--email", EMAIL)
        assert r.returncode == 0, r.stderr


def _export(db_url: str, out: Path, previous: Path | None = None
            ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    extra = ["--previous", str(previous)] if previous else []
    r = _hub(db_url, "audit", "export-head", "--out", str(out), *extra)
    return r, (json.loads(out.read_text()) if r.returncode == 0 else {})


def _count(db_url: str) -> int:
    r = _hub(db_url, "audit", "verify")
    verdict = json.loads(r.stdout)
    assert r.returncode == 0 and verdict["ok"], r.stdout + r.stderr
    return int(verdict["count"])


def test_a_marked_restore_is_accepted_an_unmarked_one_is_not(
        db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    added = hub_cli("employees", "add", "--email", EMAIL, "--role", "Teller", "--branch",
                    "b-1", "--password-stdin", stdin=PASSWORD + "\n",
                    env={"TELLER_HUB_DATABASE_URL": db_url})
    assert added.returncode == 0, added.stderr
    _toggle(db_url)  # entries 1..3
    restored = _backup(db_url, request, tmp_path)
    _toggle(db_url)  # entries 4..5: lost with the restore
    day1 = tmp_path / "day1.json"
    r, head1 = _export(db_url, day1)
    assert r.returncode == 0 and head1["seq"] == 5, r.stderr

    # the database is restored from the backup; the hubs write on
    assert _count(restored) == 3
    _toggle(restored)  # 4..5 again, other entries
    day2 = tmp_path / "day2.json"
    r, _ = _export(restored, day2, previous=day1)
    assert r.returncode == 1 and "no longer reaches the previous head" in r.stderr
    assert not day2.exists()

    # IT marks the restore, naming the head that was lost: one entry, audited
    r = _hub(restored, "audit", "mark-restored", "--last-head", str(day1))
    assert r.returncode == 0, r.stderr
    marker = json.loads(r.stdout)
    assert marker["action"] == "policy" and marker["entity"] == "audit_chain"
    assert marker["actor"].startswith("cli:") and marker["seq"] == 6
    detail = dict(marker["detail"])
    assert len(detail.pop("restored_head_hash")) == 64
    assert detail == {"event": "restored", "last_head_seq": 5, "last_head_hash": head1["hash"],
                      "last_head_date": None, "restored_head_seq": 5}
    again = _hub(restored, "audit", "mark-restored", "--last-head", str(day1))
    assert again.returncode == 0 and json.loads(again.stdout)["seq"] == 6  # not twice
    assert _count(restored) == 6

    r, head2 = _export(restored, day2, previous=day1)
    assert r.returncode == 0, r.stderr
    assert head2["seq"] == 6 and head2["restore_marked_seq"] == 6
    _toggle(restored)
    r, head3 = _export(restored, tmp_path / "day3.json", previous=day2)  # an ordinary day
    assert r.returncode == 0 and head3["seq"] == 8 and "restore_marked_seq" not in head3

    # nothing was lost since day 2: no restore to mark
    r = _hub(restored, "audit", "mark-restored", "--last-head", str(day2))
    assert r.returncode == 1 and "still reaches" in r.stderr
    # a head no marker names is refused as before
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"seq": 4, "hash": "ab" * 32}))
    r, _ = _export(restored, tmp_path / "no.json", previous=other)
    assert r.returncode == 1 and not (tmp_path / "no.json").exists()
    # the marker never stands in for the chain's own hash walk
    sql(restored, *_untriggered(restored, [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2"]))
    r, _ = _export(restored, tmp_path / "day4.json", previous=day1)
    assert r.returncode == 1 and not (tmp_path / "day4.json").exists()
    r = _hub(restored, "audit", "mark-restored", "--last-head", str(day1))
    assert r.returncode == 1 and "does not verify" in r.stderr
