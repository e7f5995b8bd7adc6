"""A first start of an SQLite hub copies the bundle's empty database at head (made by
``teller-hub migrate`` when the bundle is built) instead of running Alembic; never over an
existing file, never from a template that is not at head."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from hub_proc import hub_cli

from teller_app.hub import migrate


def _template(tmp_path: Path) -> Path:
    made = tmp_path / "template"
    r = hub_cli("migrate", "--data", str(made), env={"TELLER_HUB_DATABASE_URL": ""})
    assert r.returncode == 0, r.stderr
    return made / "hub.db"


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        conn.close()


def test_a_new_database_is_the_template_copied(tmp_path: Path) -> None:
    template = _template(tmp_path)
    target = tmp_path / "hub" / "hub.db"
    target.parent.mkdir()
    url = f"sqlite:///{target}"
    assert migrate.sqlite_from_template(url, template)
    assert migrate.sqlite_at_head(url)
    # read as immutable: nothing written beside it (an install dir may be read-only)
    assert sorted(p.name for p in template.parent.iterdir()) == ["hub.db"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _schema(target) == _schema(template)  # the triggers and the seed row included
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT id, n FROM audit_lock").fetchall() == [(1, 0)]
    finally:
        conn.close()


def test_never_over_an_existing_file_nor_from_a_stale_template(tmp_path: Path) -> None:
    template = _template(tmp_path)
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"")
    assert not migrate.sqlite_from_template(f"sqlite:///{existing}", template)
    assert existing.read_bytes() == b""
    stale = tmp_path / "stale.db"
    conn = sqlite3.connect(stale)
    conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
    conn.execute("INSERT INTO alembic_version VALUES ('0001')")
    conn.commit()
    conn.close()
    target = tmp_path / "new.db"
    assert not migrate.sqlite_from_template(f"sqlite:///{target}", stale)
    assert not target.exists()
    assert not migrate.sqlite_from_template(f"sqlite:///{target}", tmp_path / "absent.db")
    assert not migrate.sqlite_from_template("postgresql+asyncpg://h/db", template)
