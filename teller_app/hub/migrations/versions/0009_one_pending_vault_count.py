"""At most one count of a branch's vault waits for its co-sign: a partial unique index on
``vault_counts(branch_key) WHERE state = 'pending'`` (SQLite and PostgreSQL), a backstop
behind the vault's row lock (``till_vault_transfers.lock_vault``). First-ever counts filed
at once before it could each wait, and each co-sign added its difference again.

Additive: an index only. Counts that wait beside a newer one of their branch are first
marked ``superseded``, as a newer count does (by its counter, when it was filed): only the
newest (``created_at``, then ``id``) stays pending.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NEWEST = """
    SELECT {column} FROM vault_counts AS n
    WHERE n.branch_key = vault_counts.branch_key AND n.state = 'pending'
    ORDER BY n.created_at DESC, n.id DESC LIMIT 1"""

SUPERSEDE_OLDER = f"""
UPDATE vault_counts SET state = 'superseded',
    decided_by = ({NEWEST.format(column="n.counted_by")}),
    decided_at = ({NEWEST.format(column="n.created_at")})
WHERE state = 'pending' AND EXISTS (
    SELECT 1 FROM vault_counts AS n
    WHERE n.branch_key = vault_counts.branch_key AND n.state = 'pending'
      AND (n.created_at > vault_counts.created_at
           OR (n.created_at = vault_counts.created_at AND n.id > vault_counts.id)))
"""

PENDING = "state = 'pending'"


def upgrade() -> None:
    op.execute(SUPERSEDE_OLDER)
    op.create_index("uq_vault_counts_pending", "vault_counts", ["branch_key"], unique=True,
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    op.drop_index("uq_vault_counts_pending", table_name="vault_counts")
