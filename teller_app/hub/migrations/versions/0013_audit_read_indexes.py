"""Indexes for reading the audit trail at head-office scale (``GET /audit``):
``(ts_ms, seq)`` turns a time window into a seq range without walking the history outside it
(an index-only range scan of the window's entries), ``(branch_guid, seq)`` and
``(actor, seq)`` serve a branch's or an employee's rows in seq order, either way. The
composite ``(branch_guid, seq)`` replaces ``ix_audit_log_branch_guid`` (its prefix).

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
then finds them (``IF NOT EXISTS``) and only drops the old one. A leftover INVALID index of
that name (a concurrent build that failed) is dropped and built anew.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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
    for name, columns in INDEXES.items():
        if bind.dialect.name == "postgresql" and bind.execute(sa.text(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = :n AND NOT i.indisvalid"), {"n": name}).first():
            op.drop_index(name, table_name="audit_log")
        op.create_index(name, "audit_log", columns, if_not_exists=True)
    op.drop_index("ix_audit_log_branch_guid", table_name="audit_log", if_exists=True)


def downgrade() -> None:
    op.create_index("ix_audit_log_branch_guid", "audit_log", ["branch_guid"],
                    if_not_exists=True)
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="audit_log")
