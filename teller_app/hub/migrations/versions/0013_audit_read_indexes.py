"""Indexes for reading the audit trail at head-office scale (``GET /audit``):
``(ts_ms, seq)`` turns a time window into a seq range without walking the history outside it
(an index-only range scan of the window's entries), ``(branch_guid, seq)`` and
``(actor, seq)`` serve a branch's or an employee's rows in seq order, either way.
``ix_audit_log_branch_guid`` (the new branch index's prefix) is kept: dropping it would hold
ACCESS EXCLUSIVE on ``audit_log`` until ``migrate`` commits, so every read and append would
queue behind any long reader; a redundant index costs little.

Additive: processes of earlier releases read the same rows (their queries use the new
indexes too).

Not ``CREATE INDEX CONCURRENTLY``: ``teller-hub migrate`` runs every revision in one
transaction under its advisory lock (``hub/migrate.py``), and a concurrent build cannot run
in a transaction; an autocommit block would commit mid-migration, release that lock (a second
``migrate`` could start meanwhile) and, on a failure, leave an INVALID index behind. A plain
build holds writes to ``audit_log`` (and so every hub write that appends to the trail, which
is nearly all of them) while it runs; reads go on. Measured on PostgreSQL: 16 s for the
three indexes on 1 000 000 audit rows (2 busy shared cores), so minutes for tens of millions
(docs/OPERATIONS.md). For such a table IT builds the same indexes beforehand with ``CREATE INDEX
CONCURRENTLY`` and the same names while the hub serves (docs/OPERATIONS.md): this revision
then finds them (``IF NOT EXISTS``). An INVALID index of one of these names (a concurrent
build that failed, or is still running) stops the migration with a message naming it and
the command to run: dropping it here could wait on, or deadlock with, a build still running.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_audit_log_ts_ms_seq": ["ts_ms", "seq"],
    "ix_audit_log_branch_guid_seq": ["branch_guid", "seq"],
    "ix_audit_log_actor_seq": ["actor", "seq"],
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # all before the first build locks audit_log
        for name in INDEXES:
            _refuse_invalid(bind, name)
    for name, columns in INDEXES.items():
        op.create_index(name, "audit_log", columns, if_not_exists=True)


def _refuse_invalid(bind: sa.Connection, name: str) -> None:
    """Stop at an INVALID index ``name`` in the current schema (the one ``IF NOT EXISTS``
    would take for built): only IT can tell a failed concurrent build from a running one."""
    invalid = bind.execute(sa.text(
        "SELECT 1 FROM pg_index WHERE NOT indisvalid AND indexrelid = "
        "to_regclass(quote_ident(current_schema()) || '.' || quote_ident(:n))"),
        {"n": name}).first()
    if invalid:
        raise CommandError(
            f"index {name} is INVALID (a CREATE INDEX CONCURRENTLY that failed or is still "
            f"running); once no build of it runs, run DROP INDEX CONCURRENTLY {name}; "
            "then migrate again")


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="audit_log")
