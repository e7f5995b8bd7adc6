"""Indexes for the reads that walked whole tables at head-office scale:
``tills (branch_guid, state, till_code, close_seq)`` serves a branch's cash position (its live
tills; its closed ones, by each code's highest close number), a close's number and an
opening's previous close (``ix_tills_branch_guid``, its prefix, is kept, as 0013 keeps its
old index: dropping it would hold ACCESS EXCLUSIVE on ``tills`` until ``migrate`` commits);
``till_transfers (state, branch_guid)`` the transfers a branch's supervisors are
waiting on; ``alerts (state, id)`` and ``alerts (branch_guid, state, id)`` ``GET /alerts``
newest first (head office / one branch) and its pages; ``events (ts_ms)`` the hourly prune
of old events. The hub's queries name a branch as ``branch_guid = ?`` / ``IS NULL OR = ''``
(no longer ``coalesce(branch_guid, '') = ?``, which no index serves).

Additive: processes of earlier releases read the same rows (their queries, still with
``coalesce``, walk the tables as before).

Not ``CREATE INDEX CONCURRENTLY``, for the reasons revision 0013 gives: ``teller-hub
migrate`` runs every revision in one transaction under its advisory lock. A plain build
holds writes to its table while it runs (a till's open, close and transfers; alerts; every
event, so every approval and till step that notifies) and lets reads go on. For large
tables IT builds the same indexes beforehand with ``CREATE INDEX CONCURRENTLY`` and the same
names while the hub serves (docs/OPERATIONS.md): this revision then finds them (``IF NOT
EXISTS``). An INVALID index of one of these names (a concurrent build that failed, or is
still running) stops the migration before any build, naming it and the command to run, as
in 0013.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEXES = {  # name: (table, columns)
    "ix_tills_branch_guid_state_till_code_close_seq": (
        "tills", ["branch_guid", "state", "till_code", "close_seq"]),
    "ix_till_transfers_state_branch_guid": ("till_transfers", ["state", "branch_guid"]),
    "ix_alerts_state_id": ("alerts", ["state", "id"]),
    "ix_alerts_branch_guid_state_id": ("alerts", ["branch_guid", "state", "id"]),
    "ix_events_ts_ms": ("events", ["ts_ms"]),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # all before the first build locks a table
        for name in INDEXES:
            _refuse_invalid(bind, name)
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, if_not_exists=True)


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
    for name, (table, _columns) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
