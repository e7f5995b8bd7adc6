"""Indexes for what a till owes and the day's cash totals, which walked
``cash_authorizations`` whole at every call: ``(till_id)`` serves a till's unsettled drafts
(``GET /tills/current``, every close, a withdrawal's or a transfer's "what the till can pay",
``/cash/preview``); ``(teller, day)`` and ``(customer_guid, day)`` a teller's and a
customer's cash of the day (the cumulative limits, three sums a decision), where the single
column indexes (kept) read the teller's or the customer's whole history. The hub's queries
ask a void, a FAILED read and a count ``NOT EXISTS`` by each table's key (no longer
``payment_guid NOT IN (SELECT ...)``, which read ``cash_voids``, ``cash_failed`` and
``till_ops`` whole each time).

Additive: processes of earlier releases read the same rows (their ``NOT IN`` still reads the
three tables whole until they are restarted).

Not ``CREATE INDEX CONCURRENTLY``, for the reasons revision 0013 gives: ``teller-hub
migrate`` runs every revision in one transaction under its advisory lock. A plain build
holds writes to ``cash_authorizations`` while it runs (every ``/cash/authorize`` and cash
decision that records) and lets reads go on. For a large table IT builds the same indexes
beforehand with ``CREATE INDEX CONCURRENTLY`` and the same names while the hub serves
(docs/OPERATIONS.md): this revision then finds them (``IF NOT EXISTS``). An INVALID index of
one of these names (a concurrent build that failed, or is still running) stops the migration
before any build, naming it and the command to run, as in 0013.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "cash_authorizations"
INDEXES = {
    "ix_cash_authorizations_till_id": ["till_id"],
    "ix_cash_authorizations_teller_day": ["teller", "day"],
    "ix_cash_authorizations_customer_guid_day": ["customer_guid", "day"],
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # all before the first build locks the table
        for name in INDEXES:
            _refuse_invalid(bind, name)
    for name, columns in INDEXES.items():
        op.create_index(name, TABLE, columns, if_not_exists=True)


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
        op.drop_index(name, table_name=TABLE)
