"""Till controls: a close past the bank's tolerance waits for a supervisor's co-sign
(``tills.close_cosigned_by`` / ``close_cosigned_at``), closes are ordered per till code by
``tills.close_seq`` (a clock tie never picks the wrong "previous close"), and a vault count
that differs from the book waits for a second supervisor (``vault_counts``).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Closes made before this revision get their place from the clock (the id breaks a tie:
# the best an older hub's rows can say).
BACKFILL = """
UPDATE tills SET close_seq = (
    SELECT count(*) FROM tills AS t2
    WHERE t2.state = 'closed' AND t2.till_code = tills.till_code
      AND coalesce(t2.branch_guid, '') = coalesce(tills.branch_guid, '')
      AND (t2.closed_at < tills.closed_at
           OR (t2.closed_at = tills.closed_at AND t2.id <= tills.id)))
WHERE state = 'closed'
"""


def upgrade() -> None:
    # batch: SQLite alters a table by copying it; PostgreSQL gets a plain ADD COLUMN
    with op.batch_alter_table("tills") as batch:
        batch.add_column(sa.Column("close_cosigned_by", sa.String(254), nullable=True))
        batch.add_column(sa.Column("close_cosigned_at", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("close_seq", sa.BigInteger, nullable=True))
    op.execute(BACKFILL)
    op.create_table(
        "vault_counts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("branch_key", sa.String(64), nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("counted_minor", sa.BigInteger, nullable=False),
        sa.Column("book_minor", sa.BigInteger, nullable=False),
        sa.Column("difference_minor", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("counted_by", sa.String(254), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(254), nullable=True),
        sa.Column("decided_at", sa.BigInteger, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_vault_counts_branch_key", "vault_counts", ["branch_key"])


def downgrade() -> None:
    op.drop_index("ix_vault_counts_branch_key", table_name="vault_counts")
    op.drop_table("vault_counts")
    with op.batch_alter_table("tills") as batch:
        batch.drop_column("close_seq")
        batch.drop_column("close_cosigned_at")
        batch.drop_column("close_cosigned_by")
