"""Alembic, driven from code: the scripts ship inside the package (``hub/migrations``), so
``teller-hub migrate`` works from an installed wheel without an alembic.ini.

One migration at a time: a PostgreSQL advisory lock (and on SQLite the write lock, BEGIN
IMMEDIATE) is taken before Alembic looks at the database, so a second ``migrate`` started
meanwhile waits and then finds nothing to do. A database at a revision these scripts do not
know was migrated by a newer hub: this one says so (``NewerDatabase``) instead of failing in
Alembic, and keeps serving it (migrations are additive, docs/OPERATIONS.md).

Every ``migrate`` also raises the database's control level to this code's
(``code_level.raise_to_code_level``, in the same locked transaction; never lowers it): a
process of an older level then refuses writes. On PostgreSQL with ``TELLER_HUB_DB_APP_ROLE``
set, every ``migrate`` (not only the one that created the audit table) revokes UPDATE,
DELETE and TRUNCATE on it from that runtime role, so a role named after the first migration,
or a restored database's grants, are brought in line too.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:  # Alembic is imported only when a migration runs (start-up time)
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# An empty database at the scripts' head, made by `teller-hub migrate` when the frozen bundle
# is built (packaging/teller.spec) and shipped next to the scripts; absent from a source tree.
TEMPLATE = Path(__file__).resolve().parent / "empty_at_head.db"
MIGRATE_LOCK = 0x7E11DB  # pg_advisory_xact_lock key: one migration at a time
APP_ROLE_ENV = "TELLER_HUB_DB_APP_ROLE"
_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Alembic (1.18+) logs each of its autogenerate plugins at info when it is imported: seven
# lines on every command and PostgreSQL start that say nothing to IT
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


class NewerDatabase(RuntimeError):
    """The database's revision is not one of this hub's scripts: a newer hub migrated it."""

    def __init__(self, revision: str) -> None:
        super().__init__(f"the database is newer than this hub (revision {revision}); "
                         "upgrade the hub")
        self.revision = revision


def alembic_config(engine: AsyncEngine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


@functools.cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@functools.cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(s.revision for s in script.walk_revisions())


def schema_of(revision: str | None) -> str:
    """"none" (never migrated), "current", "behind" (an older revision of these scripts:
    run ``teller-hub migrate``) or "newer" (a revision they do not know: a newer hub's)."""
    if revision is None:
        return "none"
    if revision == head_revision():
        return "current"
    return "behind" if revision in known_revisions() else "newer"


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the newest revision (idempotent; one process at a time).
    Raises ``NewerDatabase`` (nothing changed) when a newer hub has migrated it."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                               {"k": MIGRATE_LOCK})
        elif conn.dialect.name == "sqlite":
            # the write lock first: the DDL that follows runs in this one transaction, and a
            # second process waits here (busy_timeout) instead of racing Alembic's checks
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
        await conn.run_sync(_upgrade_sync)


def _upgrade_sync(sync_conn: Any) -> None:
    from .code_level import raise_to_code_level

    revision = _revision_sync(sync_conn)
    if schema_of(revision) == "newer":
        assert revision is not None
        raise NewerDatabase(revision)
    if revision != head_revision():  # else nothing to do (not even Alembic's environment)
        from alembic import command

        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, "head")
    raise_to_code_level(sync_conn)
    _revoke_audit_changes(sync_conn)


def _revoke_audit_changes(sync_conn: Any) -> None:
    """``TELLER_HUB_DB_APP_ROLE`` (PostgreSQL): the runtime role may only read and append to
    the audit table (its triggers refuse changes for everyone else too). Idempotent."""
    role = os.environ.get(APP_ROLE_ENV, "")
    if not role or sync_conn.dialect.name != "postgresql":
        return
    if not _ROLE.fullmatch(role):
        raise ValueError(f"{APP_ROLE_ENV} must be a plain role name")
    sync_conn.exec_driver_sql(f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "{role}"')


def _revision_sync(sync_conn: Any) -> str | None:
    if not sa.inspect(sync_conn).has_table("alembic_version"):
        return None
    row = sync_conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision, None if never migrated. A plain query (no alembic context):
    /readyz calls this on every probe."""
    async with engine.connect() as conn:
        has_table = await conn.run_sync(
            lambda c: sa.inspect(c).has_table("alembic_version"))
        if not has_table:
            return None
        row = (await conn.execute(sa.text("SELECT version_num FROM alembic_version"))).first()
    return None if row is None else str(row[0])


_REV = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"](\w+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(None|['\"](\w+)['\"])", re.M)


def scripted_head() -> str | None:
    """The head read from the scripts' ``revision``/``down_revision`` lines without Alembic;
    None unless every script has exactly one plain pair and there is one head (then the
    caller lets Alembic decide)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revs, dns = _REV.findall(text), _DOWN.findall(text)
        if path.name == "__init__.py" and not revs and not dns:
            continue
        if len(revs) != 1 or len(dns) != 1:
            return None
        revisions.add(revs[0])
        if dns[0][1]:
            downs.add(dns[0][1])
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None


def sqlite_at_head(database_url: str) -> bool:
    """True when the SQLite file is already at the scripts' head and this code's control
    level: start-up then skips Alembic entirely (importing it and running an idempotent
    upgrade cost ~0.5 s). Any doubt (no file, no version table, several heads, unparsable
    script, a lower level) says False: migrate."""
    path = _sqlite_file(database_url)
    return path is not None and _file_at_head(path)


def _sqlite_file(database_url: str) -> Path | None:
    """The database file of an SQLite URL; None for another backend or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def template_at_head(template: Path | None = None) -> bool:
    """The bundle's template is read as immutable: no lock, no -wal/-shm beside it (the
    install dir may be read-only, and is not ours to write)."""
    return _file_at_head(template or TEMPLATE, immutable=True)


def _file_at_head(path: Path, *, immutable: bool = False) -> bool:
    head = scripted_head()
    if head is None or not path.is_file():
        return False
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=15)
        try:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            levels = conn.execute("SELECT min_hub_code FROM hub_code_level WHERE id = 1"
                                  ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return [tuple(r) for r in rows] == [(head,)] and _at_code_level(levels)


def _at_code_level(rows: list[Any]) -> bool:
    from . import api_version

    return len(rows) == 1 and int(rows[0][0]) >= api_version.HUB_CODE_LEVEL


def sqlite_from_template(database_url: str, template: Path | None = None) -> bool:
    """A first start of an SQLite hub copies the bundle's empty database at head instead of
    running Alembic (~0.25 s of CPU, on the embedded stack's start path). Only for a file
    that does not exist yet (created exclusively, 0600) and a template at the scripts' head;
    False otherwise, and the caller migrates."""
    template = template or TEMPLATE
    path = _sqlite_file(database_url)
    if path is None or path.exists() or not template_at_head(template):
        return False
    data = template.read_bytes()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile: migrate (idempotent)
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return True


_warned: set[str] = set()


def warn_newer(revision: str) -> None:
    """Logged once per process: this hub runs on a database a newer hub has migrated."""
    if revision not in _warned:
        _warned.add(revision)
        logging.getLogger("teller_hub").warning(
            "the database is newer than this hub: upgrade the hub", extra={
                "revision": revision, "hub_head": head_revision()})
