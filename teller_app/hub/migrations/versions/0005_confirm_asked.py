"""When a desk last asked to confirm a cash draft (``cash_authorizations.confirm_asked_at``,
epoch seconds; NULL: never): a void is refused while that confirm may still reach DCM.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite alters a table by copying it; PostgreSQL gets a plain ADD COLUMN
    with op.batch_alter_table("cash_authorizations") as batch:
        batch.add_column(sa.Column("confirm_asked_at", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cash_authorizations") as batch:
        batch.drop_column("confirm_asked_at")
